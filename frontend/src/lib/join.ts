// Validation for the participant join form (the server checks again).

export interface JoinForm {
  code: string;
  name: string;
  team: string;
}

export type JoinErrors = Partial<Record<keyof JoinForm, string>>;

export const MAX_NAME = 40;

/** Join codes are letters and digits; people type them with spaces or dashes. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]+/g, '').toUpperCase();
}

export function validateJoin(f: JoinForm): JoinErrors {
  const errors: JoinErrors = {};
  const code = normaliseCode(f.code);
  if (!code) errors.code = 'Enter the code shown by the facilitator.';
  else if (!/^[A-Z0-9]{4,12}$/.test(code)) errors.code = 'A code is 4 to 12 letters or digits.';
  const name = f.name.trim();
  if (!name) errors.name = 'Enter the name your team will see.';
  else if (Array.from(name).length > MAX_NAME) errors.name = `Use at most ${MAX_NAME} characters.`;
  if (!f.team) errors.team = 'Pick your team.';
  return errors;
}

/** The symbols of server join codes: no 0/O, 1/I/L, so none can be misread. */
export const JOIN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LEN = 8;

export type CodeCheck = 'empty' | 'partial' | 'ready' | 'bad_symbol' | 'too_long';

/**
 * Whether a typed code is worth asking the server about. The server counts
 * failed lookups against the whole network's address, so a half-typed code
 * is never sent: a room of people typing would soon be locked out.
 */
export function checkCode(code: string): CodeCheck {
  const c = normaliseCode(code);
  if (!c) return 'empty';
  for (const ch of c) if (!JOIN_ALPHABET.includes(ch)) return 'bad_symbol';
  if (c.length < JOIN_CODE_LEN) return 'partial';
  return c.length === JOIN_CODE_LEN ? 'ready' : 'too_long';
}

export const CODE_HINTS: Record<Exclude<CodeCheck, 'ready' | 'empty' | 'partial'>, string> = {
  bad_symbol: 'Codes use the letters A–Z and digits 2–9, without O, I or L (and never 0 or 1).',
  too_long: `A code has ${JOIN_CODE_LEN} characters.`,
};

/**
 * The code a join link carries: /join/CODE, or /join#CODE as the server
 * writes its links (the fragment never reaches server logs).
 */
export function codeFromLink(pathCode: string, hash: string): string {
  if (pathCode) return normaliseCode(pathCode);
  const h = hash.replace(/^#/, '');
  if (!h || h.includes('=')) return '';
  try {
    return normaliseCode(decodeURIComponent(h)).slice(0, 16);
  } catch {
    return '';
  }
}

/** The address of the join page for a code: /join/CODE. */
export function joinPath(code: string): string {
  const c = normaliseCode(code);
  return c ? `/join/${encodeURIComponent(c)}` : '/join';
}

/** Which form field a server refusal of a join belongs to ('' = the form as a whole). */
export function joinErrorField(code: string): keyof JoinForm | '' {
  switch (code) {
    case 'bad_code':
      return 'code';
    case 'bad_name':
    case 'name_taken':
      return 'name';
    case 'bad_team':
      return 'team';
  }
  return '';
}
