import { describe, expect, it } from 'vitest';
import { validateManifest } from './manifest-model';

describe('validateManifest', () => {
  it('a valid Deployment has no problems', () => {
    expect(validateManifest('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n')).toEqual([]);
  });
  it('a YAML syntax error is reported on its line', () => {
    const p = validateManifest('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n   targetPort: 8080\n');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]!.line).toBe(8);
  });
  it('missing kind and name are reported at the start of their document', () => {
    const p = validateManifest('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nmetadata: {}\n');
    expect(p).toEqual([
      { line: 6, message: 'kind not set' },
      { line: 6, message: 'metadata.name: Required value: name or generateName is required' },
    ]);
  });
});
