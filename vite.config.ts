/** Renderer build (`dist/renderer`), loaded by Electron from disk and served by the web shell. */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs: the same build works from file:// (Electron) and http://127.0.0.1 (web shell).
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/data: modules: the CSP allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    // The plugin-timing report is noise on a busy machine (svelte's compile dominates, as expected).
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  logLevel: 'warn',
});
