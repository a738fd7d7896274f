import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { learnerManifests } from './manifests';

describe('learner manifests', () => {
  for (const profile of ['local', 'cloud'] as const) {
    const files = learnerManifests(profile);
    for (const [name, text] of Object.entries(files)) {
      it(`${profile}: ${name} parses as YAML documents with apiVersion, kind and name`, () => {
        const docs = parseAllDocuments(text);
        expect(docs.length).toBeGreaterThan(0);
        for (const d of docs) {
          expect(d.errors).toEqual([]);
          const o = d.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
          expect(o.apiVersion).toBeTruthy();
          expect(o.kind).toBeTruthy();
          expect(o.metadata?.name).toBeTruthy();
        }
      });
    }
  }

  it('ingress-nginx Service is LoadBalancer in the cloud and NodePort locally', () => {
    const kinds = (p: 'local' | 'cloud') =>
      parseAllDocuments(learnerManifests(p)['ingress-nginx.yaml']!)
        .map((d) => d.toJS() as { kind: string; spec?: { type?: string } })
        .find((o) => o.kind === 'Service')!.spec!.type;
    expect(kinds('cloud')).toBe('LoadBalancer');
    expect(kinds('local')).toBe('NodePort');
  });
});
