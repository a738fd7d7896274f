import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabsService } from './labs-service';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-labs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

describe('LabsService', () => {
  it('lists lab folders in order with titles, summaries and step counts from their Markdown', () => {
    write('02-nodeport/README.md', '# NodePort Services\n\nReach a Service from outside the cluster.\nOn every node.\n\nMore.');
    write('02-nodeport/steps/01-create.md', '# Create the Deployment\n\nRun kubectl.');
    write('02-nodeport/steps/02-expose.md', 'no heading');
    write('01-clusterip/steps/01-a.md', '# A');
    write('03-cloud-lb/README.md', '# Load balancers\nprofile: cloud\n\nAn ELB in front.');
    write('notes/README.md', '# not a lab');
    write('lab.spec.ts', '');
    const labs = new LabsService(dir);
    expect(labs.list()).toEqual([
      { id: '01-clusterip', title: 'clusterip', summary: '', profile: 'local', stepCount: 1 },
      { id: '02-nodeport', title: 'NodePort Services', summary: 'Reach a Service from outside the cluster. On every node.', profile: 'local', stepCount: 2 },
      { id: '03-cloud-lb', title: 'Load balancers', summary: 'An ELB in front.', profile: 'cloud', stepCount: 0 },
    ]);
    const detail = labs.get('02-nodeport');
    expect(detail?.steps.map((s) => [s.id, s.title])).toEqual([
      ['01-create', 'Create the Deployment'],
      ['02-expose', '02-expose'],
    ]);
    expect(detail?.steps[0]?.markdown).toContain('Run kubectl.');
  });

  it('returns null for unknown or path-like ids and an empty list for a missing folder', () => {
    write('01-a/README.md', '# A');
    const labs = new LabsService(dir);
    expect(labs.get('09-missing')).toBeNull();
    expect(labs.get('../01-a')).toBeNull();
    expect(new LabsService(path.join(dir, 'nope')).list()).toEqual([]);
  });
});
