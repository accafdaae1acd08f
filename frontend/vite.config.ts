/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precompress } from './precompress.ts';

// Node 25 and later have a localStorage of their own (without
// --localstorage-file, one with no methods); vitest copies no jsdom window
// key the global already has, so it would hide jsdom's Storage from the
// tests. The browser's storage is jsdom's: test workers run without Node's.
const nodeWebStorageOff = process.allowedNodeEnvironmentFlags.has('--experimental-webstorage')
  ? ['--no-experimental-webstorage']
  : [];

// The build is embedded in the Go binary and committed, so it must be small,
// byte-for-byte reproducible, and use a few stable file names (no content
// hash): the server decides caching, and a rebuild of unchanged sources must
// leave `git diff` empty. Nothing is inlined into index.html, so the page runs
// under a CSP of `script-src 'self'; style-src 'self'`.
export default defineConfig(({ mode }) => ({
  base: '/',
  plugins: [
    svelte({
      // Component CSS goes to dist/assets/app.css, never into <style> tags
      // injected at runtime.
      emitCss: true,
    }),
    // NAME.br and NAME.gz beside each asset: the server sends them as they
    // are, so nothing is compressed per request or at startup.
    precompress(),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
    rolldownOptions: {
      // No per-plugin timing report in the build log.
      checks: { pluginTimings: false },
      output: {
        entryFileNames: 'assets/app.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: (info) =>
          info.names.some((n) => n.endsWith('.css')) ? 'assets/app.css' : 'assets/[name][extname]',
      },
    },
  },
  // Tests mount components in jsdom, so they need Svelte's browser build.
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  test: {
    // Pure modules run in node; files that mount components ask for jsdom
    // with a @vitest-environment comment.
    environment: 'node',
    include: ['src/**/*.test.ts'],
    execArgv: nodeWebStorageOff,
    // Components render Markdown at once when the parser chunk is loaded,
    // as it is in a browser by the time the feed shows.
    setupFiles: ['src/test/setup.ts'],
    // Mounting the whole App in jsdom takes well under a second alone but
    // several on a loaded 2-core machine (two suites at once): 5 s, the
    // default, failed there. A test that hangs still fails, after 30 s.
    testTimeout: 30_000,
  },
}));
