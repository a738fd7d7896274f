/** kube-proxy inside a booted World: every node's nat table carries the cluster's Services with real chain names. */
import { describe, expect, it } from 'vitest';
import { netfilterFor } from '../netfilter';
import { createWorld } from '../world';
import { kubeProxyFor } from './install';

describe('kube-proxy in a booted cluster', () => {
  it('programs kubernetes and kube-dns on every node (facts §1.2 hashes), in both profiles', () => {
    for (const profile of ['local', 'cloud'] as const) {
      const world = createWorld({ profile, seed: 5 });
      world.settle(10_000);
      const nodes = world.topology.nodeSpecs.map((n) => n.name);
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) {
        expect(kubeProxyFor(world, node)?.lastSync).toBeDefined();
        const nat = netfilterFor(world, `node/${node}`)!.save({ table: 'nat' });
        expect(nat).toContain(':KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]'); // default/kubernetes:https
        expect(nat).toContain(':KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]'); // kube-system/kube-dns:dns (udp)
        expect(nat).toContain(':KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]'); // kube-system/kube-dns:dns-tcp
        expect(nat).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p udp -m comment --comment "kube-system\/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU\n/);
      }
    }
  });
});
