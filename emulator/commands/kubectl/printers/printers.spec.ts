/**
 * Printers on hand-built objects, against the formats recorded in shared/reference/kubernetes-networking-facts.md
 * §3 (tables, AGE, describe svc), plus tabwriter and jsonpath behaviour.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../../api/resources';
import type { KubeObject } from '../../../api/types';
import type { Kube } from '../context';
import { describeObject } from '../describe';
import { humanDuration } from './duration';
import { renderRows, tableRows } from './index';
import { jsonpath } from './jsonpath';
import { Tabwriter, formatTable } from './tabwriter';

const T0 = Date.UTC(2026, 0, 1);
const ts = (msAgo: number, now: number) => new Date(now - msAgo).toISOString().replace('.000Z', 'Z');

function svc(name: string, type: string, ip: string | undefined, ports: any[], opts: Partial<{ ext: any; selector: any; ago: number }> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: ts(opts.ago ?? 0, NOW) },
    spec: { type, ...(ip ? { clusterIP: ip, clusterIPs: [ip] } : {}), ports, selector: opts.selector, ...(type === 'ExternalName' ? { externalName: opts.ext } : {}) },
    status: { loadBalancer: opts.ext && type === 'LoadBalancer' ? { ingress: opts.ext } : {} },
  };
}
const NOW = T0 + 10 * 86_400_000;

describe('AGE (duration.HumanDuration)', () => {
  it('formats the reference table', () => {
    const cases: [number, string][] = [
      [-2000, '<invalid>'],
      [-500, '0s'],
      [0, '0s'],
      [90_000, '90s'],
      [119_999, '119s'],
      [123_000, '2m3s'],
      [300_000, '5m'],
      [42 * 60_000, '42m'],
      [150 * 60_000, '150m'],
      [3 * 3_600_000, '3h'],
      [5.5 * 3_600_000, '5h30m'],
      [26 * 3_600_000, '26h'],
      [2 * 86_400_000, '2d'],
      [(3 * 24 + 4) * 3_600_000, '3d4h'],
      [45 * 86_400_000, '45d'],
      [(2 * 365 + 10) * 86_400_000, '2y10d'],
      [9 * 365 * 86_400_000, '9y'],
    ];
    for (const [ms, want] of cases) expect(humanDuration(ms), String(ms)).toBe(want);
  });

  it('never rounds up (truncation)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 119_999 }), (ms) => {
        expect(humanDuration(ms)).toBe(`${Math.floor(ms / 1000)}s`);
      }),
    );
  });
});

describe('tabwriter', () => {
  it('pads each column to its widest cell plus 3, at least 6, and never pads the last cell', () => {
    expect(formatTable([['A', 'B'], ['long-name', 'x']])).toBe('A           B\nlong-name   x\n');
    expect(formatTable([['A', 'B', 'C']])).toBe('A     B     C\n');
  });

  it('aligns per column block: a line without a tab ends the block', () => {
    const tw = new Tabwriter({ minwidth: 0, padding: 2 });
    tw.write('Name:\tweb\nA much longer label:\tx\nSection:\nIP:\t1.2.3.4\n');
    expect(tw.flush()).toBe(`Name:${' '.repeat(17)}web\nA much longer label:  x\nSection:\nIP:  1.2.3.4\n`);
  });

  it('remembers widths across flushes (watch rows line up under the header)', () => {
    const tw = new Tabwriter({ minwidth: 6, padding: 3, rememberWidths: true });
    tw.write('NAME\tSTATUS\nweb-abcdef\tRunning\n');
    tw.flush();
    tw.write('a\tPending\n');
    expect(tw.flush()).toBe('a            Pending\n');
  });
});

describe('kubectl get tables (facts §3.2, §3.3)', () => {
  const opts = { output: '' };
  it('services: CLUSTER-IP, EXTERNAL-IP and PORT(S) rules', () => {
    const items = [
      svc('currency-exchange', 'ClusterIP', '10.96.45.12', [{ port: 80, protocol: 'TCP' }], { ago: 5 * 60_000 + 12_000 }),
      svc('kubernetes', 'ClusterIP', '10.96.0.1', [{ port: 443, protocol: 'TCP' }], { ago: (3 * 24 + 4) * 3_600_000 }),
      svc('web', 'NodePort', '10.101.7.20', [{ port: 80, nodePort: 31234, protocol: 'TCP' }], { ago: 42_000 }),
      svc('shop-lb', 'LoadBalancer', '10.109.3.3', [{ port: 80, nodePort: 30718, protocol: 'TCP' }], { ago: 12 * 60_000 }),
      svc('legacy-db', 'ExternalName', undefined, [{ port: 5432, protocol: 'TCP' }], { ext: 'db.example.com', ago: 2 * 86_400_000 }),
      svc('db-headless', 'ClusterIP', 'None', [{ port: 5432, protocol: 'TCP' }], { ago: 7 * 3_600_000 }),
    ];
    expect(renderRows(tableRows(RESOURCES.services, items, NOW, opts))).toBe(
      [
        'NAME                TYPE           CLUSTER-IP    EXTERNAL-IP      PORT(S)        AGE',
        'currency-exchange   ClusterIP      10.96.45.12   <none>           80/TCP         5m12s',
        'kubernetes          ClusterIP      10.96.0.1     <none>           443/TCP        3d4h',
        'web                 NodePort       10.101.7.20   <none>           80:31234/TCP   42s',
        'shop-lb             LoadBalancer   10.109.3.3    <pending>        80:30718/TCP   12m',
        'legacy-db           ExternalName   <none>        db.example.com   5432/TCP       2d',
        'db-headless         ClusterIP      None          <none>           5432/TCP       7h',
        '',
      ].join('\n'),
    );
  });

  it('LoadBalancer hostnames are cut to 13 characters plus ... without -o wide', () => {
    const lb = svc('lb', 'LoadBalancer', '10.100.1.1', [{ port: 80, nodePort: 30080, protocol: 'TCP' }], {
      ext: [{ hostname: 'a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com' }],
    });
    expect(tableRows(RESOURCES.services, [lb], NOW, opts)[1]![3]).toBe('a1b2c3d4e5f6-...');
    expect(tableRows(RESOURCES.services, [lb], NOW, { output: 'wide' })[1]![3]).toBe('a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com');
  });

  it('endpoints: ready ip:port, at most 3, then "+ N more..."', () => {
    const ep = (name: string, ips: string[], port: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: 'default', creationTimestamp: ts(11_000, NOW) },
      subsets: ips.length ? [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: [{ ip: '10.244.9.9' }], ports: [{ port, protocol: 'TCP' }] }] : undefined,
    });
    const rows = tableRows(RESOURCES.endpoints, [ep('currency-exchange', ['10.244.1.5', '10.244.2.7'], 8080), ep('empty-svc', [], 80), ep('big', ['10.244.0.10', '10.244.0.11', '10.244.0.9', '10.244.1.2', '10.244.1.3'], 80)], NOW, opts);
    expect(rows.map((r) => r[1])).toEqual(['ENDPOINTS', '10.244.1.5:8080,10.244.2.7:8080', '<none>', '10.244.0.10:80,10.244.0.11:80,10.244.0.9:80 + 2 more...']);
  });

  it('pods: READY, STATUS reasons and Terminating', () => {
    const pod = (name: string, status: any, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', creationTimestamp: ts(320_000, NOW), ...extra },
      spec: { containers: [{ name: 'app', image: 'x' }], nodeName: 'worker-1' },
      status,
    });
    const running = { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: '' } } }] };
    const creating = { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] };
    const backoff = { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] };
    const done = { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
    const rows = tableRows(
      RESOURCES.pods,
      [pod('a', running), pod('b', creating), pod('c', backoff), pod('d', done), pod('e', running, { deletionTimestamp: ts(0, NOW) })],
      NOW,
      { output: 'wide' },
    );
    expect(renderRows(rows)).toBe(
      [
        'NAME   READY   STATUS              RESTARTS   AGE     IP           NODE       NOMINATED NODE   READINESS GATES',
        'a      1/1     Running             0          5m20s   10.244.1.5   worker-1   <none>           <none>',
        'b      0/1     ContainerCreating   0          5m20s   <none>       worker-1   <none>           <none>',
        'c      0/1     ImagePullBackOff    0          5m20s   <none>       worker-1   <none>           <none>',
        'd      0/1     Completed           0          5m20s   <none>       worker-1   <none>           <none>',
        'e      1/1     Terminating         0          5m20s   10.244.1.5   worker-1   <none>           <none>',
        '',
      ].join('\n'),
    );
  });

  it('endpointslices and ingresses', () => {
    const es: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'empty-svc-mfppn', namespace: 'default', creationTimestamp: ts(11_000, NOW) },
      addressType: 'IPv4',
      endpoints: null,
      ports: null,
    };
    expect(tableRows(RESOURCES.endpointslices, [es], NOW, opts)[1]).toEqual(['empty-svc-mfppn', 'IPv4', '<unset>', '<unset>', '11s']);
    const ing: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'noctl', namespace: 'default', creationTimestamp: ts(8_000, NOW) },
      spec: { rules: [{ http: { paths: [] } }], tls: [{ secretName: 'x' }] },
    };
    expect(tableRows(RESOURCES.ingresses, [ing], NOW, opts)[1]).toEqual(['noctl', '<none>', '*', '', '80, 443', '8s']);
  });
});

describe('describe svc (facts §3.5)', () => {
  it('prints the reference layout', () => {
    const fakeStore = {
      list: (resource: string) => ({
        items:
          resource === 'endpointslices'
            ? [{ metadata: { name: 'web-abcde' }, ports: [{ port: 80, protocol: 'TCP' }], endpoints: [{ addresses: ['10.244.1.9'], conditions: { ready: true } }] }]
            : [],
      }),
    };
    const k = { store: fakeStore, now: () => NOW } as unknown as Kube;
    const web: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        clusterIP: '10.101.7.20',
        clusterIPs: ['10.101.7.20'],
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
        ports: [{ port: 80, targetPort: 80, nodePort: 31234, protocol: 'TCP' }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    };
    expect(describeObject(k, RESOURCES.services, web)).toBe(
      [
        'Name:                     web',
        'Namespace:                default',
        'Labels:                   app=web',
        'Annotations:              <none>',
        'Selector:                 app=web',
        'Type:                     NodePort',
        'IP Family Policy:         SingleStack',
        'IP Families:              IPv4',
        'IP:                       10.101.7.20',
        'IPs:                      10.101.7.20',
        'Port:                     <unset>  80/TCP',
        'TargetPort:               80/TCP',
        'NodePort:                 <unset>  31234/TCP',
        'Endpoints:                10.244.1.9:80',
        'Session Affinity:         None',
        'External Traffic Policy:  Cluster',
        'Internal Traffic Policy:  Cluster',
        'Events:                   <none>',
        '',
      ].join('\n'),
    );
  });
});

describe('jsonpath', () => {
  const list = {
    kind: 'List',
    items: [
      { metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'x' } }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'a' }] } },
      { metadata: { name: 'b', labels: {} }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] } },
    ],
  };
  it('evaluates the forms kubectl users type', () => {
    expect(jsonpath('{.items[*].metadata.name}', list)).toBe('a b');
    expect(jsonpath('{.items[0].metadata.name}', list)).toBe('a');
    expect(jsonpath('{.items[-1:].metadata.name}', list)).toBe('b');
    expect(jsonpath('{range .items[*]}{.metadata.name}{"\\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}', list)).toBe(
      'a\t172.18.0.2\nb\t172.18.0.3\n',
    );
    expect(jsonpath('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', list)).toBe('x');
    expect(jsonpath("{.items[0].metadata.labels['app.kubernetes.io/name']}", list)).toBe('x');
    expect(jsonpath('{.items[1].metadata.labels}', list)).toBe('{}');
    expect(jsonpath('{.kind}', list)).toBe('List');
  });
});
