// Severity words as authors write them ("Major outage", "P1", "sev2"...)
// mapped to the few visual tones the cards have.

export type StatusTone = 'major' | 'partial' | 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'neutral';
export type PriorityTone = 'crit' | 'warn' | 'info' | 'neutral';

function norm(level: string): string {
  return level.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

const STATUS: [RegExp, StatusTone][] = [
  [/^(major( outage)?|outage|full outage|down|critical)$/, 'major'],
  [/^(partial( outage)?|degraded( performance)?|minor|disruption)$/, 'partial'],
  [/^investigating$/, 'investigating'],
  [/^identified$/, 'identified'],
  [/^(monitoring|mitigated|recovering)$/, 'monitoring'],
  [/^(resolved|operational|closed|all systems operational)$/, 'resolved'],
];

export function statusTone(level: string): StatusTone {
  const l = norm(level);
  for (const [re, tone] of STATUS) if (re.test(l)) return tone;
  return 'neutral';
}

const PRIORITY: [RegExp, PriorityTone][] = [
  [/^(p ?[01]|sev ?[01]|critical|urgent|highest|blocker)$/, 'crit'],
  [/^(p ?2|sev ?2|high|major)$/, 'warn'],
  [/^(p ?3|sev ?3|medium|normal|moderate)$/, 'info'],
];

export function priorityTone(level: string): PriorityTone {
  const l = norm(level);
  for (const [re, tone] of PRIORITY) if (re.test(l)) return tone;
  return 'neutral';
}

/** "major outage" → "Major outage"; keeps "P1" as written. */
export function levelLabel(level: string): string {
  const t = level.trim();
  return t ? t[0].toUpperCase() + t.slice(1) : '';
}

const AVATAR_TONES = 6;

/** A stable avatar colour (0..5) from a name, so a persona keeps its colour. */
export function avatarTone(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return h % AVATAR_TONES;
}
