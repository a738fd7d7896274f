/** `kubectl wait --for=condition=Ready|delete|jsonpath=… TYPE/NAME … [--timeout=30s]`. */
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { parseDuration } from './delete';
import { jsonpathValues } from './printers/jsonpath';
import { resolveTargets } from './resolve';

const WAIT_FLAGS: FlagDef[] = [
  { name: 'for', type: 'string', default: '' },
  { name: 'timeout', type: 'string', default: '30s' },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'all', type: 'bool', default: false },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'field-selector', type: 'string', default: '' },
];

type Condition = (o: KubeObject | undefined) => boolean;

function parseFor(spec: string): { test: Condition; forDelete: boolean } {
  if (spec === 'delete') return { test: (o) => o === undefined, forDelete: true };
  if (spec.startsWith('condition=')) {
    let cond = spec.slice('condition='.length);
    let want = 'true';
    const eq = cond.indexOf('=');
    if (eq >= 0) {
      want = cond.slice(eq + 1).toLowerCase();
      cond = cond.slice(0, eq);
    }
    const lc = cond.toLowerCase();
    return {
      forDelete: false,
      test: (o) => !!o && ((o.status?.conditions ?? []) as any[]).some((c) => String(c.type).toLowerCase() === lc && String(c.status).toLowerCase() === want),
    };
  }
  if (spec.startsWith('jsonpath=')) {
    const body = spec.slice('jsonpath='.length);
    const m = /^(\{.*\})(?:=(.*))?$/.exec(body) ?? /^([^=]*)(?:=(.*))?$/.exec(body)!;
    const expr = m[1]!;
    const value = m[2]?.replace(/^['"]|['"]$/g, '');
    return {
      forDelete: false,
      test: (o) => {
        if (!o) return false;
        const vals = jsonpathValues(expr, JSON.parse(JSON.stringify(o)));
        if (value === undefined) return vals.length > 0;
        return vals.some((v) => String(v) === value);
      },
    };
  }
  throw new KubectlError(`error: unrecognized condition: "${spec}"`);
}

export async function waitCmd(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, WAIT_FLAGS, 'kubectl wait'));
  if (!flags.str('for')) throw new KubectlError('error: --for must be specified');
  const { test, forDelete } = parseFor(flags.str('for'));
  const ns = k.namespace(flags);
  const targets = resolveTargets(flags.args, { allowAll: false });
  if (targets.length === 0) throw new KubectlError(`error: resource(s) were provided, but no name was specified`);
  const objs: { info: (typeof targets)[number]['info']; ns: string | undefined; name: string }[] = [];
  for (const t of targets) {
    const namespace = t.info.namespaced ? ns : undefined;
    if (t.names.length) for (const n of t.names) objs.push({ info: t.info, ns: namespace, name: n });
    else {
      if (!flags.bool('all') && !flags.str('selector')) throw new KubectlError('error: resource(s) were provided, but no name was specified');
      for (const o of k.store.list(t.info.resource, { namespace, labelSelector: flags.str('selector') || undefined }).items)
        objs.push({ info: t.info, ns: namespace, name: o.metadata.name! });
    }
  }
  if (objs.length === 0) throw new KubectlError('error: no matching resources found');
  const timeout = parseDuration(flags.str('timeout'));
  let failed = false;
  for (const o of objs) {
    if (!forDelete && !k.store.tryGet(o.info.resource, o.ns, o.name)) {
      k.report(k.store.tryGet(o.info.resource, o.ns, o.name) ?? new KubectlError(`Error from server (NotFound): ${o.info.qualifiedResource} "${o.name}" not found`));
      failed = true;
      continue;
    }
    const ok = await k.waitUntil(() => test(k.store.tryGet(o.info.resource, o.ns, o.name)), timeout);
    if (!ok) {
      k.err(`error: timed out waiting for the condition on ${o.info.qualifiedResource}/${o.name}\n`);
      failed = true;
      continue;
    }
    k.out(`${objectRef(o.info, o.name)} condition met\n`);
  }
  return failed ? 1 : 0;
}
