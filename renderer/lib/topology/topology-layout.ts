/**
 * Topology layout: the contract's graph → boxes and edge routes, laid out by elkjs (layered, left to right: the
 * learner's machine on the left, pods on the right). The graph → ELK input mapping and path highlighting are pure.
 */
import type { TopologyGraph, TopologyNode } from '../../../main/contract';

export interface PlacedNode {
  readonly node: TopologyNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'cable' | 'endpoint';
  readonly points: readonly { x: number; y: number }[];
}

export interface Layout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_W = 150;
export const NODE_H = 44;

export interface ElkLike {
  layout(graph: ElkGraph): Promise<unknown>;
}
interface ElkGraph {
  id: string;
  layoutOptions?: Record<string, string>;
  children?: { id: string; width: number; height: number; x?: number; y?: number }[];
  edges?: { id: string; sources: string[]; targets: string[]; sections?: { startPoint: P; endPoint: P; bendPoints?: P[] }[] }[];
  width?: number;
  height?: number;
}
type P = { x: number; y: number };

export function toElkGraph(g: TopologyGraph): ElkGraph {
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '14',
      'elk.layered.spacing.nodeNodeBetweenLayers': '50',
      'elk.edgeRouting': 'POLYLINE',
    },
    children: g.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    edges: g.links.map((l) => ({ id: l.id, sources: [l.from], targets: [l.to] })),
  };
}

export async function layoutTopology(g: TopologyGraph, elk: ElkLike): Promise<Layout> {
  const out = (await elk.layout(toElkGraph(g))) as ElkGraph;
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const nodes = (out.children ?? []).map((c) => ({ node: byId.get(c.id)!, x: c.x ?? 0, y: c.y ?? 0, width: c.width, height: c.height }));
  const links = new Map(g.links.map((l) => [l.id, l]));
  const edges = (out.edges ?? []).map((e) => {
    const l = links.get(e.id)!;
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    return { id: e.id, from: l.from, to: l.to, kind: l.kind, points };
  });
  return { nodes, edges, width: out.width ?? 800, height: out.height ?? 600 };
}

/** Which nodes and cables a path (namespaces in visiting order) lights up. */
export function highlight(path: readonly string[]): { nodes: Set<string>; links: Set<string> } {
  const nodes = new Set(path);
  const links = new Set<string>();
  for (let i = 1; i < path.length; i++) links.add(`cable:${[path[i - 1]!, path[i]!].sort().join('|')}`);
  return { nodes, links };
}

/** Zoom the view box around a point, keeping that point fixed on screen. */
export function zoomAt(
  box: { x: number; y: number; w: number; h: number },
  factor: number,
  at: { x: number; y: number },
): { x: number; y: number; w: number; h: number } {
  const f = Math.min(4, Math.max(0.25, factor));
  const w = box.w * f;
  const h = box.h * f;
  return { x: at.x - (at.x - box.x) * f, y: at.y - (at.y - box.y) * f, w, h };
}

/** Where the packet's envelope sits: centred on top of the current hop's box (undefined when it is not drawn). */
export function envelopeAt(layout: Layout | null, current: string | null): { x: number; y: number } | undefined {
  if (!layout || !current) return undefined;
  const n = layout.nodes.find((p) => p.node.id === current);
  return n ? { x: n.x + n.width / 2 - 11, y: n.y - 8 } : undefined;
}
