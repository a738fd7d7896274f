import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['{emulator,main,renderer,labs,cli,scripts}/**/*.spec.ts', '{emulator,main,renderer,labs,cli}/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'e2e'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
