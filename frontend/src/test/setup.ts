import { loadMarkdown } from '../lib/markdown-loader';

await loadMarkdown();
