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
