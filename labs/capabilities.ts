/**
 * Functional capability probes for the lab tests: a capability counts as present only when a minimal scenario
 * using it really works in a fresh world (a command that is registered but not yet wired end to end does not
 * count). Each probe says what it tried when it fails, so a gated lab prints exactly what is missing.
 */
import { EXCHANGE_IMAGE, EXCHANGE_PATH } from './common';
import { defaultRuntime } from './engine/runtime';
import type { LabShell } from './engine/session';
import type { Capability, ProfileName } from './engine/types';
import { clusterViewOf, probeCapabilities } from './engine/world-adapter';
import type { World } from '../emulator/world';

export interface ProbeResult {
  readonly present: ReadonlySet<Capability>;
  /** Capability → why it is missing. */
  readonly missing: ReadonlyMap<Capability, string>;
}

const cache = new Map<ProfileName, Promise<ProbeResult>>();

export function probe(profile: ProfileName): Promise<ProbeResult> {
  let p = cache.get(profile);
  if (!p) cache.set(profile, (p = runProbes(profile)));
  return p;
}

async function runProbes(profile: ProfileName): Promise<ProbeResult> {
  const present = new Set<Capability>(['shell']);
  const missing = new Map<Capability, string>();
  let world: World;
  let sh: LabShell;
  try {
    world = defaultRuntime.createWorld(profile, 1);
    sh = defaultRuntime.createShell(world);
  } catch (e) {
    missing.set('store', `createWorld failed: ${String(e)}`);
    return { present, missing };
  }
  const registered = probeCapabilities(world);
  const view = clusterViewOf(world);
  const run = async (line: string) => {
    try {
      const e = await sh.submit(line);
      world.settle();
      return e;
    } catch (err) {
      return { host: '', prompt: '', command: line, output: `threw: ${err instanceof Error ? err.message : String(err)}`, exitCode: 255, startedAt: 0 };
    }
  };
  const note = (cap: Capability, ok: boolean, why: string) => {
    if (ok && !missing.has(cap)) present.add(cap);
    else if (!ok && !missing.has(cap)) missing.set(cap, why);
  };
  note('store', registered.has('store'), 'no API store on World');

  const dep = await run(`kubectl create deployment probe --image=${EXCHANGE_IMAGE} --replicas=3 --port=8000`);
  const client = await run('kubectl run probe-client --image=curlimages/curl --restart=Never --command -- sleep 86400');
  const pods = view.podsMatching('default', { app: 'probe' });
  const podIp = pods[0]?.status?.podIP;
  note('kubectl', dep.exitCode === 0 && client.exitCode === 0 && !!podIp, `kubectl create deployment / run did not give a running pod with an IP: ${dep.output.trim()} ${client.output.trim()}`.slice(0, 300));
  if (!podIp) {
    for (const c of ['network', 'kube-proxy', 'dns', 'traces', 'cloud', 'tunnel', 'ingress'] as Capability[]) missing.set(c, 'no running pod to probe with');
    return { present, missing };
  }
  // Every pod, wherever it runs (same node as the client or another), must answer on its IP.
  for (const p of pods) {
    const ip = p.status?.podIP;
    const direct = await run(`kubectl exec probe-client -- curl -s -m 5 http://${ip}:8000${EXCHANGE_PATH}`);
    note('network', direct.exitCode === 0 && direct.output.includes(p.metadata.name!), `pod → pod IP ${ip} (on ${p.spec.nodeName}) failed (exit ${direct.exitCode}): ${direct.output.trim().slice(0, 160)}`);
  }

  await run('kubectl expose deployment probe --port=80 --target-port=8000');
  const cip = view.service('default', 'probe')?.spec.clusterIP;
  // Ten requests through the ClusterIP: every one answered, by more than one pod.
  const served = new Set<string>();
  let failed = '';
  for (let i = 0; i < 10; i++) {
    const viaSvc = await run(`kubectl exec probe-client -- curl -s -m 5 http://${cip}${EXCHANGE_PATH}`);
    const m = /probe-[a-z0-9]+-[a-z0-9]{5}/.exec(viaSvc.output);
    if (viaSvc.exitCode !== 0 || !m) failed ||= `request ${i + 1} to ClusterIP ${cip} failed (exit ${viaSvc.exitCode}): ${viaSvc.output.trim().slice(0, 160)}`;
    else served.add(m[0]);
  }
  note('kube-proxy', registered.has('kube-proxy') && !failed && served.size > 1, failed || `10 requests through the ClusterIP were all served by ${[...served].join(', ') || 'nobody'}`);

  await run('kubectl run probe-dns --image=busybox --restart=Never --command -- sleep 86400');
  const dns = await run('kubectl exec probe-dns -- nslookup probe');
  // busybox nslookup exits 1 whenever one search-domain query got NXDOMAIN, even when another answered.
  note('dns', registered.has('dns') && !!cip && new RegExp(`Address:\\s+${cip}\\b`).test(dns.output), `nslookup probe from a pod did not return the ClusterIP: ${dns.output.trim().slice(0, 200)}`);

  if (profile === 'cloud') {
    await run('kubectl expose deployment probe --name=probe-lb --type=LoadBalancer --port=80 --target-port=8000');
    const lb = view.service('default', 'probe-lb')?.status?.loadBalancer?.ingress?.[0];
    const aws = await run('aws elbv2 describe-load-balancers');
    const ip = lb?.ip ?? lb?.hostname;
    const viaLb = ip ? await run(`curl -s -m 5 http://${ip}${EXCHANGE_PATH}`) : undefined;
    note('cloud', registered.has('cloud') && aws.exitCode === 0 && !!viaLb && viaLb.exitCode === 0, `cloud LoadBalancer: ${ip ? `curl to ${ip} failed: ${viaLb?.output.trim().slice(0, 160)}` : 'no external address'}; aws: ${aws.output.trim().slice(0, 120)}`);
    // A plain NodePort must be closed from the internet by the node security group, and open from inside the VPC.
    await run('kubectl create service nodeport probe-np --tcp=80:8000 --node-port=31999');
    await run("kubectl patch svc probe-np -p '{\"spec\":{\"selector\":{\"app\":\"probe\"}}}'");
    const node = view.list<any>('nodes')[0];
    const publicIp = node?.status?.addresses?.find((a: { type: string }) => a.type === 'ExternalIP')?.address;
    const privateIp = node?.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address;
    const fromInternet = await run(`curl -sS -m 3 http://${publicIp}:31999${EXCHANGE_PATH}`);
    note('firewall', /timed out|\(28\)/.test(fromInternet.output), `NodePort on ${publicIp}:31999 from the laptop should time out in the security group; got exit ${fromInternet.exitCode}: ${fromInternet.output.trim().slice(0, 120)}`);
    const fromVpc = await run(`ssh corp-vm "curl -s -m 3 http://${privateIp}:31999${EXCHANGE_PATH}"`);
    note('vpc-host', fromVpc.exitCode === 0 && /probe-[a-z0-9]+-[a-z0-9]{5}/.test(fromVpc.output), `ssh corp-vm and curl a node's private IP failed (exit ${fromVpc.exitCode}): ${fromVpc.output.trim().slice(0, 120)}`);
  } else {
    await run('kubectl expose deployment probe --name=probe-lb --type=LoadBalancer --port=80 --target-port=8000');
    const t = await run('cloud-provider-kind');
    world.settle();
    const lb = view.service('default', 'probe-lb')?.status?.loadBalancer?.ingress?.[0];
    const viaLb = lb?.ip ? await run(`curl -s -m 5 http://${lb.ip}${EXCHANGE_PATH}`) : undefined;
    note('tunnel', t.exitCode === 0 && !!viaLb && viaLb.exitCode === 0, `cloud-provider-kind: ${lb?.ip ? `curl to ${lb.ip} failed` : 'no external address'}: ${t.output.trim().slice(0, 160)}`);
  }

  // Traces: any probe request (pod → ClusterIP, or from outside through a NodePort/LB) recorded hop by hop through
  // a KUBE-SVC chain and delivered to a pod.
  const traced = view.traces().some((t) => t.deliveredTo?.startsWith('pod/default/probe-') && t.hops.some((h) => h.chain?.startsWith('KUBE-SVC-')));
  note('traces', registered.has('traces') && traced, 'no packet trace through a KUBE-SVC chain delivered to a pod');

  const apps = await run('kubectl apply -f ~/manifests/ingress-nginx.yaml');
  const ing = await run(
    "kubectl create ingress probe --class=nginx --rule='/currency-exchange*=probe:80'",
  );
  world.settle();
  const addr = view.get('ingresses', 'default', 'probe')?.status?.loadBalancer?.ingress?.[0];
  note('ingress', registered.has('ingress') && apps.exitCode === 0 && ing.exitCode === 0 && !!addr, `Ingress controller did not take an Ingress (ADDRESS empty): ${apps.output.trim().slice(0, 120)} ${ing.output.trim().slice(0, 120)}`);
  return { present, missing };
}
