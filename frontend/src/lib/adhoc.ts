// The ad-hoc inject form's pure parts: the card the teams will see (for the
// preview, drawn by the same InjectCard) and the sender sent to the server.

import { CHANNELS, type Channel, type InjectView } from './events';
import type { AdHocInject, InjectTemplate } from './facilitator';
import type { ModelPersona } from './facilitator-scenario';

/** Saved injects of this scenario (stored on the server per facilitator). */
export interface TemplateApi {
  list(): Promise<InjectTemplate[]>;
  save(name: string, inject: AdHocInject): Promise<InjectTemplate>;
  remove(id: number): Promise<void>;
}

export interface AdHocDraft {
  channel: string;
  teams: string[];
  /** A persona id, or '' with a free name in fromName. */
  persona: string;
  fromName: string;
  title: string;
  body: string;
}

/** What the server gets as `from`: the persona id, else the name typed. */
export function senderOf(d: AdHocDraft): string {
  return d.persona || d.fromName.trim();
}

/** The inject as the teams' cards will show it, persona resolved as the server does. */
export function previewOf(d: AdHocDraft, personas: ModelPersona[]): InjectView {
  const p = personas.find((x) => x.id === d.persona);
  const name = p ? p.name : d.fromName.trim();
  const channel: Channel = (CHANNELS as readonly string[]).includes(d.channel) ? (d.channel as Channel) : 'sitrep';
  return {
    id: 'preview',
    channel,
    title: d.title.trim(),
    body: d.body,
    from: name ? { name, handle: p?.handle ?? '', avatar: p?.avatar || name.slice(0, 1).toUpperCase(), org: p?.org ?? '' } : null,
    platform: '',
    to: '',
    level: '',
    ref: '',
    image: '',
    engagement: null,
    teams: [...d.teams],
  };
}
