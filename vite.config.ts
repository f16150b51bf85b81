/**
 * Build of the web client (web/ → dist/web/, `npm run build`). The output must run under the
 * server's CSP (src/server/security.ts: scripts and styles from 'self' only, nothing remote,
 * no eval): no module-preload polyfill (it would be an extra script for browsers that all
 * support modulepreload), no assets inlined as data: URLs, hashed file names under /assets/
 * so the server can mark them immutable.
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/',
  publicDir: false,
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
