// The documents the server generates (issue #19) and where they download:
// GET /api/scenarios/:id/docs/:doc and GET /api/exercises/:id/docs/:doc
// with ?format=md|html|csv, &download=1 for an attachment.

export type DocFormat = 'html' | 'md' | 'csv';

export interface DocEntry {
  doc: string;
  title: string;
  /** 'html' opens print-ready in a new tab; the others download. */
  formats: DocFormat[];
}

/** An exercise's documents, the after-action report first. */
export const EXERCISE_DOCS: DocEntry[] = [
  { doc: 'aar', title: 'After-action report / improvement plan', formats: ['html', 'md'] },
  { doc: 'debrief', title: "Participants' debrief", formats: ['html', 'md'] },
  { doc: 'plan', title: 'Improvement plan', formats: ['csv'] },
  { doc: 'msel', title: 'Master scenario events list', formats: ['csv'] },
  { doc: 'handbook', title: 'Facilitator / evaluator handbook', formats: ['html', 'md'] },
  { doc: 'sitman', title: 'Situation manual (SITMAN)', formats: ['html', 'md'] },
];

/** A scenario's documents (before any exercise: default parameters). */
export const SCENARIO_DOCS: DocEntry[] = [
  { doc: 'sitman', title: 'SITMAN', formats: ['html', 'md'] },
  { doc: 'handbook', title: 'Handbook', formats: ['html', 'md'] },
  { doc: 'msel', title: 'MSEL', formats: ['csv'] },
];

/** The URL of a document under base (`/api/exercises/ID` or `/api/scenarios/ID`). */
export function docHref(base: string, doc: string, format: DocFormat, download = false): string {
  return `${base}/docs/${encodeURIComponent(doc)}?format=${format}${download ? '&download=1' : ''}`;
}

/** A name for a YAML skeleton made from an events list: the CSV's name with .yaml. */
export function yamlName(csvName: string): string {
  const base = csvName.replace(/\.[^./\\]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'scenario';
  return `${base}.yaml`;
}

/** A file as UTF-8 text (FileReader where Blob.text is missing). */
export function readText(f: Blob): Promise<string> {
  if (typeof f.text === 'function') return f.text();
  return new Promise((resolve, reject) => {
    const rd = new FileReader();
    rd.onload = () => resolve(String(rd.result ?? ''));
    rd.onerror = () => reject(new Error('Could not read the file.'));
    rd.readAsText(f);
  });
}
