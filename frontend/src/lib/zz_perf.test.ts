import { it } from 'vitest';
import { parseMarkdown } from './markdown';
it('perf', () => {
  for (const ch of ['*', '_', '[', '`', '**a', '[a](', '<', '&#']) {
    for (const n of [5000, 10000, 20000]) {
      const src = ch.repeat(Math.floor(n / ch.length));
      const t = performance.now();
      parseMarkdown(src);
      console.log(JSON.stringify(ch), n, (performance.now() - t).toFixed(1));
    }
  }
}, 120000);
