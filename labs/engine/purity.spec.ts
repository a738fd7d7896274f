import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sources = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

describe('labs engine purity', () => {
  it.each(sources)('%s imports no platform module and reads no wall clock or global randomness', (file) => {
    const text = fs.readFileSync(path.join(here, file), 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
    for (const spec of imports) {
      expect(spec, `${file} imports ${spec}`).not.toMatch(/^(node:|fs$|path$|electron|better-sqlite3|svelte)/);
      expect(spec.startsWith('.') || spec.startsWith('..'), `${file} imports package ${spec}`).toBe(true);
    }
    expect(text).not.toMatch(/\bDate\.now\(|\bMath\.random\(|\bsetTimeout\(|\bnew Date\(\)/);
  });
});
