import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text files worth compressing; images and fonts are compressed already. */
const TEXT = /\.(js|mjs|css|svg|json|txt|map)$/;
const MIN_SIZE = 256;

/**
 * Writes NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9) beside
 * every text asset of the build, once, with Node's own zlib (no
 * dependency). The server sends them to clients that accept them;
 * index.html is left out because the server rewrites it at startup (and
 * compresses that). An encoding that would not be smaller is not written.
 * The output is deterministic: gzip's header carries no time or name.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'ttx-precompress',
    apply: 'build',
    configResolved(cfg) {
      outDir = join(cfg.root, cfg.build.outDir);
    },
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!TEXT.test(file)) continue;
        const plain = readFileSync(file);
        if (plain.length < MIN_SIZE) continue;
        const br = brotliCompressSync(plain, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          },
        });
        const gz = gzipSync(plain, { level: 9 });
        if (br.length < plain.length) writeFileSync(file + '.br', br);
        if (gz.length < plain.length) writeFileSync(file + '.gz', gz);
      }
    },
  };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (!p.endsWith('.br') && !p.endsWith('.gz')) out.push(p);
  }
  return out;
}
