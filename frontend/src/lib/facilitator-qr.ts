// The join link as a QR code, encoded here in the browser (no service, no
// network) and drawn as one SVG path: one square per dark module. The data
// is our own join URL; nothing of it is ever interpreted as markup.

import { encode } from 'uqr';

export interface QrMatrix {
  /** Modules per side, quiet zone included. */
  size: number;
  /** rows of columns; true = dark. */
  dark: boolean[][];
}

/** The quiet zone the QR standard asks for around the symbol, in modules. */
export const QUIET_ZONE = 4;

/** Encode text with medium error correction (a projected code survives glare and a partly hidden corner). */
export function qrMatrix(text: string): QrMatrix {
  const r = encode(text, { ecc: 'M', border: QUIET_ZONE });
  return { size: r.size, dark: r.data.map((row) => row.slice()) };
}

/**
 * SVG path data drawing every dark module as a 1×1 square, runs of dark
 * modules in a row merged into one rectangle (a far shorter path).
 */
export function qrPath(m: QrMatrix): string {
  const parts: string[] = [];
  for (let y = 0; y < m.size; y++) {
    const row = m.dark[y];
    for (let x = 0; x < m.size; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < m.size && row[end]) end++;
      parts.push(`M${x} ${y}h${end - x}v1h-${end - x}z`);
      x = end;
    }
  }
  return parts.join('');
}
