import { describe, expect, it } from 'vitest';
import { LabsService, type CatalogLab } from './labs-service';

const lab = (id: string, steps: string[], profile: 'local' | 'cloud' = 'local'): CatalogLab => ({
  manifest: { id, title: `Title ${id}`, summary: `About ${id}`, profile, defaultSeed: 5, steps: steps.map((s) => ({ id: s, title: `Step ${s}` })) },
  markdown: Object.fromEntries(steps.map((s) => [s, `# ${s}\n\nDo ${s}.`])),
});

describe('LabsService', () => {
  it('lists the catalog in id order as plain summaries', () => {
    const labs = new LabsService([lab('02-nodeport', ['a', 'b'], 'cloud'), lab('01-clusterip', ['x'])]);
    expect(labs.list()).toEqual([
      { id: '01-clusterip', title: 'Title 01-clusterip', summary: 'About 01-clusterip', profile: 'local', stepCount: 1 },
      { id: '02-nodeport', title: 'Title 02-nodeport', summary: 'About 02-nodeport', profile: 'cloud', stepCount: 2 },
    ]);
  });

  it('gives one lab with its steps’ Markdown, and null for an unknown id', () => {
    const labs = new LabsService([lab('01-clusterip', ['x', 'y'])]);
    expect(labs.get('01-clusterip')?.steps).toEqual([
      { id: 'x', title: 'Step x', markdown: '# x\n\nDo x.' },
      { id: 'y', title: 'Step y', markdown: '# y\n\nDo y.' },
    ]);
    expect(labs.stepCount('01-clusterip')).toBe(2);
    expect(labs.defaultSeed('01-clusterip')).toBe(5);
    expect(labs.get('09-missing')).toBeNull();
    expect(new LabsService([]).list()).toEqual([]);
  });
});
