import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import type { TopologyGraph } from '../../../main/contract';
import { envelopeAt, highlight, layoutTopology, zoomAt, type ElkLike } from './topology-layout';

const graph: TopologyGraph = {
  sessionId: 't1',
  now: 0,
  nodes: [
    { id: 'workstation', kind: 'workstation', label: 'workstation (you)', ips: ['172.18.0.1'], status: 'ready', roles: [], detail: '' },
    { id: 'node/worker-1', kind: 'node', label: 'worker-1', ips: ['172.18.0.3'], status: 'ready', roles: [], detail: '' },
    { id: 'pod/default/web-1', kind: 'pod', label: 'web-1', ips: ['10.244.1.2'], parent: 'node/worker-1', status: 'ready', roles: [], detail: '' },
    { id: 'svc/default/web', kind: 'service', label: 'web', ips: ['10.96.1.2'], status: 'ready', roles: [], detail: '' },
  ],
  links: [
    { id: 'cable:node/worker-1|workstation', from: 'workstation', to: 'node/worker-1', kind: 'cable', label: '' },
    { id: 'cable:node/worker-1|pod/default/web-1', from: 'node/worker-1', to: 'pod/default/web-1', kind: 'cable', label: '' },
    { id: 'ep:svc/default/web>pod/default/web-1', from: 'svc/default/web', to: 'pod/default/web-1', kind: 'endpoint', label: '' },
  ],
};

describe('topology layout', () => {
  it('elkjs places every node without overlap, left to right along the cables, and routes every edge', async () => {
    const l = await layoutTopology(graph, new ELK() as unknown as ElkLike);
    expect(l.nodes).toHaveLength(4);
    const at = new Map(l.nodes.map((n) => [n.node.id, n]));
    expect(at.get('workstation')!.x).toBeLessThan(at.get('node/worker-1')!.x);
    expect(at.get('node/worker-1')!.x).toBeLessThan(at.get('pod/default/web-1')!.x);
    for (const a of l.nodes)
      for (const b of l.nodes)
        if (a !== b) expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
    expect(l.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('a path lights its namespaces and the cables between consecutive ones', () => {
    const h = highlight(['workstation', 'node/worker-1', 'pod/default/web-1']);
    expect([...h.links]).toEqual(['cable:node/worker-1|workstation', 'cable:node/worker-1|pod/default/web-1']);
    expect(h.nodes.has('svc/default/web')).toBe(false);
  });

  it("the packet's envelope sits centred on top of the current hop's box, and nowhere without one", async () => {
    const l = await layoutTopology(graph, new ELK() as unknown as ElkLike);
    const node = l.nodes.find((n) => n.node.id === 'node/worker-1')!;
    expect(envelopeAt(l, 'node/worker-1')).toEqual({ x: node.x + node.width / 2 - 11, y: node.y - 8 });
    expect(envelopeAt(l, 'pod/gone')).toBeUndefined();
    expect(envelopeAt(l, null)).toBeUndefined();
    expect(envelopeAt(null, 'node/worker-1')).toBeUndefined();
  });

  it('zooming keeps the point under the cursor fixed and is clamped', () => {
    const box = { x: 0, y: 0, w: 100, h: 100 };
    const z = zoomAt(box, 0.5, { x: 50, y: 50 });
    expect(z).toEqual({ x: 25, y: 25, w: 50, h: 50 });
    expect(zoomAt(box, 100, { x: 0, y: 0 }).w).toBe(400);
  });
});
