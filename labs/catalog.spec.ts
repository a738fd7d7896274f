import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { LAB_MANIFESTS } from './catalog';
import { listing } from './engine/load';
import { labsDir } from './node-loader';
import { labReadme } from './readme';

describe('lab catalogue', () => {
  it('lists every lab folder exactly once, ids equal to folder names', () => {
    const dirs = fs.readdirSync(labsDir(), { withFileTypes: true }).filter((d) => d.isDirectory() && /^\d{2}-/.test(d.name)).map((d) => d.name).sort();
    expect(LAB_MANIFESTS.map((m) => m.id).sort()).toEqual(dirs);
    for (const d of dirs) {
      expect(fs.existsSync(path.join(labsDir(), d, 'lab.spec.ts')), `${d}/lab.spec.ts`).toBe(true);
    }
  });

  it('covers every section of the seed document', () => {
    const seed = fs.readFileSync('/work/shared/seed/kubernetes-services-networking.txt', 'utf8');
    const headings = LAB_MANIFESTS.flatMap((m) => m.scenarios.map((s) => s.heading));
    const covered = (needle: string) => headings.some((h) => h.includes(needle));
    const sections = [
      'Why do we need a Kubernetes Service?',
      'What are the different Types of Services?',
      'Why should you not use a Pod IP Address',
      'I do NOT see a Load Balancer being created',
      'unable to access a NodePort service',
      'ExternalName',
      'Is a ClusterIP Created for NodePort or LoadBalancer?',
      'How Does Traffic Flow to different types of Services?',
      'What is the need for Fully Qualified Domain Name (FQDN)?',
      'How does a Service help with Service Discovery?',
      'Give a Practical Example of Service Discovery',
      'CoreDNS',
      'Endpoints Object',
      'kube-proxy',
      'iptables',
      'Why do we need an Ingress?',
      'Host-Based Routing',
      'Why do we need an Ingress Controller?',
      'Compare: Ingress vs LoadBalancer Service',
    ];
    for (const s of sections) {
      expect(seed.includes(s.replace(/^.*— /, '')), `seed has "${s}"`).toBe(true);
      expect(covered(s), `a lab covers "${s}"`).toBe(true);
    }
    // Headings are quoted from the seed (the part before an em-dash qualifier).
    for (const h of headings) expect(seed.includes(h.split(' — ')[0]!.replace(/^Scenario: /, '').slice(0, 30)), h).toBe(true);
  });

  it('every README.md is generated from its manifest (title, summary, profile line, scenarios, steps)', () => {
    for (const m of LAB_MANIFESTS) expect(fs.readFileSync(path.join(labsDir(), m.id, 'README.md'), 'utf8'), `${m.id}/README.md is stale`).toBe(labReadme(m));
  });

  it('the listing is plain data (JSON round-trips) with scenario headings and counts', () => {
    const all = LAB_MANIFESTS.map(listing);
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
    expect(all.every((l) => l.stepCount > 0 && l.checkCount > 0 && l.scenarios.length > 0)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(17);
  });
});
