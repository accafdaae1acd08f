import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { QUIET_ZONE, qrMatrix, qrPath } from './facilitator-qr';

/** Rasterise the matrix (scale px per module) into RGBA pixels, as a camera would see it. */
function raster(dark: boolean[][], scale: number): { data: Uint8ClampedArray; side: number } {
  const side = dark.length * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = dark[Math.floor(y / scale)][Math.floor(x / scale)] ? 0 : 255;
      const i = (y * side + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return { data, side };
}

/** Rasterise the SVG path instead: proves the path draws exactly the matrix. */
function pathToMatrix(d: string, size: number): boolean[][] {
  const out = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, w, w2] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    expect(w2).toBe(w);
    for (let i = 0; i < w; i++) out[y][x + i] = true;
  }
  return out;
}

describe('join QR code', () => {
  it.each([
    'https://ttx.example.org/join/K7QX2M',
    'http://127.0.0.1:8080/join#K7QX2MPA',
    `https://a-long-host-name.training.example.com:8443/join/${'X'.repeat(40)}`,
  ])('decodes back to %s', (url) => {
    const m = qrMatrix(url);
    expect(m.dark).toHaveLength(m.size);
    // The quiet zone is light all round.
    for (let i = 0; i < m.size; i++) {
      for (let q = 0; q < QUIET_ZONE; q++) {
        expect(m.dark[q][i] || m.dark[i][q] || m.dark[m.size - 1 - q][i] || m.dark[i][m.size - 1 - q]).toBe(false);
      }
    }
    const drawn = pathToMatrix(qrPath(m), m.size);
    expect(drawn).toEqual(m.dark);
    const { data, side } = raster(drawn, 4);
    const decoded = jsQR(data, side, side);
    expect(decoded?.data).toBe(url);
  });

  it('merges runs of dark modules', () => {
    const d = qrPath({ size: 4, dark: [[false, true, true, false], [true, false, false, true], [false, false, false, false], [true, true, true, true]] });
    expect(d).toBe('M1 0h2v1h-2zM0 1h1v1h-1zM3 1h1v1h-1zM0 3h4v1h-4z');
  });
});
