/** Values and modules the build (scripts/build.mjs) provides. */

/** package.json's version, inlined by esbuild. */
declare const __APP_VERSION__: string;

declare module 'virtual:lab-catalog' {
  import type { CatalogLab } from './services/labs-service';
  /** Every labs/<nn-slug>/lab.ts manifest with its step Markdown, gathered at build time. */
  export const LAB_CATALOG: readonly CatalogLab[];
}
