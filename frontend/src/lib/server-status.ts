// What the server says about itself on a facilitator's socket (`status`
// frames): while the database's disk is full nothing new can be saved, and
// the console shows a banner until a frame says it has room again. Each
// connection starts from "fine": a server whose disk is still full says so
// again right after `live`, so a banner never outlives a reconnect.

export interface ServerStatus {
  diskFull: boolean;
  /** RFC 3339: when the disk was found full; '' when unknown or fine. */
  since: string;
}

export const serverFine: ServerStatus = { diskFull: false, since: '' };

/** The status after one socket frame (hello resets it; other frames leave it). */
export function applyServerFrame(s: ServerStatus, frame: unknown): ServerStatus {
  if (typeof frame !== 'object' || frame === null) return s;
  const f = frame as Record<string, unknown>;
  if (f['type'] === 'hello') return serverFine;
  if (f['type'] !== 'status') return s;
  switch (f['disk']) {
    case 'full':
      return { diskFull: true, since: typeof f['since'] === 'string' ? f['since'] : '' };
    case 'ok':
      return serverFine;
  }
  return s;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The banner's text, or '' when there is nothing to say. */
export function diskBanner(s: ServerStatus): string {
  if (!s.diskFull) return '';
  const t = s.since ? new Date(s.since) : null;
  const when = t && !Number.isNaN(t.getTime()) ? ` (since ${pad(t.getHours())}:${pad(t.getMinutes())})` : '';
  return `The server's disk is full${when}: nothing new can be saved — answers, injects and what the exercise clock brings wait — until space is freed on the server. Nothing saved so far is lost, and the exercise carries on by itself once there is room.`;
}
