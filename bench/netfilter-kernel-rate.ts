/** The kernel's new-connection rate on the emulator's kube-proxy ruleset (bench/netfilter.mjs --kernel), one at a time. */
import { Rng } from '../emulator/core/rng';
import { Scheduler } from '../emulator/core/scheduler';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { formatIpv4, ip } from '../emulator/netfilter/ip';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore } from '../emulator/kube-proxy/testing';
import { NODE_IP } from './netfilter-kernel';
import { withKernelBench } from './http-kernel';

export async function kernelConnectionRate(services: number, conns: number): Promise<{ perSecond: number } | { skipped: string }> {
  const store = new FakeProxyStore();
  for (let i = 0; i < services; i++) {
    store.add({
      name: `svc-${i}`, clusterIP: formatIpv4((ip('10.96.0.0') + 10 + i * 7) >>> 0), ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      endpoints: [{ ip: `10.244.1.${2 + (i % 50)}`, nodeName: 'node' }, { ip: `10.244.1.${2 + ((i + 17) % 50)}`, nodeName: 'node' }],
    });
  }
  const nf = createNetfilterNamespace({ name: 'node/node', rng: new Rng(1) });
  nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
  const proxy = new KubeProxy({ nodeName: 'node', nodeIPs: [NODE_IP], netfilter: nf, store, scheduler: new Scheduler() });
  proxy.start();
  proxy.syncNow();
  const target = formatIpv4((ip('10.96.0.0') + 10 + Math.floor(services / 2) * 7) >>> 0);
  // kernel-http (C) as client and server, so that the figure is the kernel's and not a language runtime's.
  return withKernelBench(nf.save(), (b) => {
    b.run(['connect', target, '80', String(Math.min(200, conns)), '1']); // warm-up
    return { perSecond: b.run(['connect', target, '80', String(conns), '1']).perSecond };
  });
}
