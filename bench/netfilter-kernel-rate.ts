/** The kernel's new-connection rate on the emulator's kube-proxy ruleset (bench/netfilter.mjs --kernel). */
import { Rng } from '../emulator/core/rng';
import { Scheduler } from '../emulator/core/scheduler';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { formatIpv4, ip } from '../emulator/netfilter/ip';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore } from '../emulator/kube-proxy/testing';
import { NODE_IP, createKernelNode, kernelUnavailable } from './netfilter-kernel';

export async function kernelConnectionRate(services: number, conns: number): Promise<{ perSecond: number } | { skipped: string }> {
  const why = kernelUnavailable();
  if (why) return { skipped: why };
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
  const k = createKernelNode();
  try {
    k.load(nf.save());
    await k.serve([8080]);
    const target = formatIpv4((ip('10.96.0.0') + 10 + Math.floor(services / 2) * 7) >>> 0);
    k.rate('cli', target, 80, Math.min(200, conns)); // warm-up
    return { perSecond: k.rate('cli', target, 80, conns) };
  } finally {
    k.destroy();
  }
}
