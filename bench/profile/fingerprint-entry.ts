/**
 * The data plane's behaviour in one page of hashes: every lab's solution run in fresh worlds, traced and untraced,
 * hashing what a learner can see — the transcript, every trace hop, `iptables-save -c`, `conntrack -L` and
 * `ip neigh` on every node — and the virtual time it ended at. A performance change must leave this output
 * byte-identical (`node bench/profile/fingerprint.mjs > a.txt`, change, run again, `diff`); FULL=1 also prints
 * the texts hashed, to find what moved.
 */
import { loadAllLabs } from '../../labs/node-loader';
import { LabSession } from '../../labs/engine/session';
import { defaultRuntime } from '../../labs/engine/runtime';
import { createWorld } from '../../emulator/world';

/** FNV-1a, 32 bits: short, stable, and enough to tell two runs apart. */
function hash(s: string): string {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 16777619);
  }
  return (x >>> 0).toString(16);
}

export async function main(): Promise<void> {
  const out: string[] = [];
  for (const lab of loadAllLabs()) {
    for (const traced of [true, false]) {
      const m = lab.manifest;
      const world = createWorld({ profile: m.profile, seed: m.defaultSeed ?? 1 });
      world.traces.enabled = traced;
      const s = await LabSession.start(lab, { runtime: defaultRuntime, world });
      for (const step of m.steps) for (const line of s.solution(step.id)) await s.run(line);
      const nodes = [...world.hosts.keys()].filter((k) => k.startsWith('node/'));
      let tables = '';
      for (const n of nodes) {
        for (const c of ['iptables-save -c', 'conntrack -L', 'ip neigh']) tables += `${n} $ ${c}\n${(await s.run(c, { onHost: n })).output}`;
      }
      const transcript = s.transcript.map((e) => `${e.prompt}${e.command} [${e.exitCode}]\n${e.output}`).join('');
      const hops = world.traces.requests().map((r) => JSON.stringify(r) + JSON.stringify(world.traces.hops(r.id))).join('\n');
      const now = world.scheduler.now();
      const all = `${transcript}${tables}${hops}\nnow=${now}`;
      out.push(`${m.id} traced=${traced} transcript=${hash(transcript)} tables=${hash(tables)} hops=${hash(hops)} now=${now} all=${hash(all)} len=${all.length}`);
      if (process.env.FULL) process.stdout.write(`${all}\n`);
    }
  }
  console.log(out.join('\n'));
}
