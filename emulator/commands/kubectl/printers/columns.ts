/**
 * The server-side table columns kubectl prints for each resource (kubernetes/pkg/printers/internalversion):
 * one row function per resource, the same cells, the same `<none>`/`<pending>`/`<unset>` placeholders.
 * `wide` adds the priority-1 columns of `-o wide`.
 */
import type { Resource } from '../../../api/resources';
import type { KubeObject } from '../../../api/types';
import { age } from './duration';

export interface TableDef {
  readonly headers: readonly string[];
  readonly wideHeaders: readonly string[];
  row(obj: KubeObject, now: number, wide: boolean): string[];
}

export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key. */
export function labelSelectorString(sel: any): string {
  if (!sel) return '<none>';
  const reqs: { key: string; s: string }[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) reqs.push({ key: k, s: `${k}=${v}` });
  for (const e of (sel.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    const vals = [...(e.values ?? [])].sort().join(',');
    const s =
      e.operator === 'In' ? `${e.key} in (${vals})` : e.operator === 'NotIn' ? `${e.key} notin (${vals})` : e.operator === 'Exists' ? e.key : `!${e.key}`;
    reqs.push({ key: e.key, s });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const s = reqs.map((r) => r.s).join(',');
  return s === '' ? '<none>' : s;
}

function withMore(list: string[], more: boolean, count: number, max: number, empty: string): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? empty : ret;
}

// ---- pods ----

export function podStatusReason(pod: KubeObject): { ready: number; total: number; reason: string; restarts: number; lastRestart?: string } {
  const st = pod.status ?? {};
  const total = (pod.spec?.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: string | undefined;
  let reason: string = st.reason || st.phase || '';
  for (const c of st.conditions ?? []) if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  let initializing = false;
  const initStatuses: any[] = st.initContainerStatuses ?? [];
  const initCount = (pod.spec?.initContainers ?? []).length;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.terminated) {
      reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
    break;
  }
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const cs: any[] = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c.restartCount ?? 0;
      const fin = c.lastState?.terminated?.finishedAt;
      if (fin && (!lastRestart || Date.parse(fin) > Date.parse(lastRestart))) lastRestart = fin;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';
  return { ready, total, reason, restarts, lastRestart };
}

const pods: TableDef = {
  headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  row(pod, now, wide) {
    const s = podStatusReason(pod);
    const restarts = s.restarts !== 0 && s.lastRestart ? `${s.restarts} (${age(s.lastRestart, now)} ago)` : String(s.restarts);
    const cells = [pod.metadata.name!, `${s.ready}/${s.total}`, s.reason, restarts, age(pod.metadata.creationTimestamp, now)];
    if (wide) {
      const gates: { conditionType: string }[] = pod.spec?.readinessGates ?? [];
      let readiness = '<none>';
      if (gates.length) {
        const conds: any[] = pod.status?.conditions ?? [];
        const ok = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
        readiness = `${ok}/${gates.length}`;
      }
      cells.push(pod.status?.podIPs?.[0]?.ip || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readiness);
    }
    return cells;
  },
};

// ---- services ----

function lbStatusString(ingress: { ip?: string; hostname?: string }[] | undefined, wide: boolean): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  let r = [...set].sort().join(',');
  if (!wide && r.length > 16) r = r.slice(0, 13) + '...';
  return r;
}

export function serviceExternalIP(svc: KubeObject, wide: boolean): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = lbStatusString(svc.status?.loadBalancer?.ingress, wide);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

export function servicePorts(ports: any[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
  return s || '<none>';
}

const services: TableDef = {
  headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeaders: ['SELECTOR'],
  row(svc, now, wide) {
    const cells = [
      svc.metadata.name!,
      svc.spec?.type ?? 'ClusterIP',
      svc.spec?.clusterIPs?.[0] ?? '<none>',
      serviceExternalIP(svc, wide),
      servicePorts(svc.spec?.ports),
      age(svc.metadata.creationTimestamp, now),
    ];
    if (wide) cells.push(formatLabels(svc.spec?.selector));
    return cells;
  },
};

// ---- endpoints and slices ----

export function formatEndpoints(ep: KubeObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpoints: TableDef = {
  headers: ['NAME', 'ENDPOINTS', 'AGE'],
  wideHeaders: [],
  row: (ep, now) => [ep.metadata.name!, formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)],
};

const endpointslices: TableDef = {
  headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  wideHeaders: [],
  row(es, now) {
    const pl: string[] = [];
    let pc = 0;
    let pmore = false;
    for (const p of (es.ports ?? []) as any[]) {
      if (pl.length < 3) pl.push(p.port != null ? String(p.port) : p.name != null ? p.name : '*');
      else pmore = true;
      pc++;
    }
    const el: string[] = [];
    let ec = 0;
    let emore = false;
    for (const e of (es.endpoints ?? []) as any[]) {
      for (const a of e.addresses ?? []) {
        if (el.length < 3) el.push(a);
        else emore = true;
        ec++;
      }
    }
    return [es.metadata.name!, es.addressType ?? '', withMore(pl, pmore, pc, 3, '<unset>'), withMore(el, emore, ec, 3, '<unset>'), age(es.metadata.creationTimestamp, now)];
  },
};

// ---- workloads ----

function containerCells(containers: any[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

const deployments: TableDef = {
  headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row(d, now, wide) {
    const st = d.status ?? {};
    const cells = [d.metadata.name!, `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, String(st.updatedReplicas ?? 0), String(st.availableReplicas ?? 0), age(d.metadata.creationTimestamp, now)];
    if (wide) cells.push(...containerCells(d.spec?.template?.spec?.containers), labelSelectorString(d.spec?.selector));
    return cells;
  },
};

const replicasets: TableDef = {
  headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row(rs, now, wide) {
    const st = rs.status ?? {};
    const cells = [rs.metadata.name!, String(rs.spec?.replicas ?? 1), String(st.replicas ?? 0), String(st.readyReplicas ?? 0), age(rs.metadata.creationTimestamp, now)];
    if (wide) cells.push(...containerCells(rs.spec?.template?.spec?.containers), labelSelectorString(rs.spec?.selector));
    return cells;
  },
};

// ---- cluster-scoped ----

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

export function nodeStatus(node: KubeObject): string {
  const status: string[] = [];
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodes: TableDef = {
  headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideHeaders: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
  row(n, now, wide) {
    const info = n.status?.nodeInfo ?? {};
    const cells = [n.metadata.name!, nodeStatus(n), nodeRoles(n).join(',') || '<none>', age(n.metadata.creationTimestamp, now), info.kubeletVersion ?? ''];
    if (wide) {
      const addr = (t: string) => (n.status?.addresses ?? []).find((a: any) => a.type === t)?.address ?? '<none>';
      cells.push(addr('InternalIP'), addr('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>');
    }
    return cells;
  },
};

const namespaces: TableDef = {
  headers: ['NAME', 'STATUS', 'AGE'],
  wideHeaders: [],
  row: (ns, now) => [ns.metadata.name!, ns.status?.phase ?? '', age(ns.metadata.creationTimestamp, now)],
};

// ---- networking ----

const ingresses: TableDef = {
  headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
  wideHeaders: [],
  row(ing, now, wide) {
    const rules: any[] = ing.spec?.rules ?? [];
    const list: string[] = [];
    let more = false;
    for (const r of rules) {
      if (list.length === 3) more = true;
      if (!more && r.host) list.push(r.host);
    }
    const hosts = list.length === 0 ? '*' : more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
    const address = lbStatusString(ing.status?.loadBalancer?.ingress, wide);
    const ports = (ing.spec?.tls ?? []).length ? '80, 443' : '80';
    return [ing.metadata.name!, ing.spec?.ingressClassName ?? '<none>', hosts, address, ports, age(ing.metadata.creationTimestamp, now)];
  },
};

const ingressclasses: TableDef = {
  headers: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
  wideHeaders: [],
  row(ic, now) {
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? '.' + p.apiGroup : ''}/${p.name}` : '<none>';
    return [ic.metadata.name!, ic.spec?.controller ?? '', params, age(ic.metadata.creationTimestamp, now)];
  },
};

// ---- config and events ----

const configmaps: TableDef = {
  headers: ['NAME', 'DATA', 'AGE'],
  wideHeaders: [],
  row: (cm, now) => [cm.metadata.name!, String(Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length), age(cm.metadata.creationTimestamp, now)],
};

const secrets: TableDef = {
  headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
  wideHeaders: [],
  row: (s, now) => [s.metadata.name!, s.type ?? 'Opaque', String(Object.keys(s.data ?? {}).length), age(s.metadata.creationTimestamp, now)],
};

const serviceaccounts: TableDef = {
  headers: ['NAME', 'SECRETS', 'AGE'],
  wideHeaders: [],
  row: (sa, now) => [sa.metadata.name!, String((sa.secrets ?? []).length), age(sa.metadata.creationTimestamp, now)],
};

export function eventTimes(ev: KubeObject, now: number): { first: string; last: string; count: number } {
  const first = ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now);
  let last = ev.lastTimestamp ? age(ev.lastTimestamp, now) : first;
  let count: number = ev.count ?? 0;
  if (ev.series) {
    last = age(ev.series.lastObservedTime, now);
    count = ev.series.count;
  } else if (count === 0) count = 1;
  return { first, last, count };
}

const events: TableDef = {
  headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
  wideHeaders: [],
  row(ev, now, wide) {
    const t = eventTimes(ev, now);
    const io = ev.involvedObject ?? {};
    const target = io.name ? `${String(io.kind).toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
    if (!wide) return [t.last, ev.type ?? '', ev.reason ?? '', target, ev.message ?? ''];
    const src = ev.source?.component ? (ev.source.host ? `${ev.source.component}, ${ev.source.host}` : ev.source.component) : ev.reportingComponent ?? '';
    return [t.last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', src, ev.message ?? '', t.first, String(t.count), ev.metadata.name!];
  },
};
// `-o wide` on events replaces the columns rather than appending (SUBOBJECT and SOURCE sit in the middle).
const EVENT_WIDE_HEADERS = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'];

export const TABLES: Record<Resource, TableDef> = {
  pods,
  services,
  endpoints,
  endpointslices,
  deployments,
  replicasets,
  nodes,
  namespaces,
  ingresses,
  ingressclasses,
  configmaps,
  secrets,
  serviceaccounts,
  events,
};

/** Header cells for a resource's table. */
export function tableHeaders(resource: Resource, wide: boolean): string[] {
  if (resource === 'events' && wide) return [...EVENT_WIDE_HEADERS];
  const t = TABLES[resource];
  return wide ? [...t.headers, ...t.wideHeaders] : [...t.headers];
}
