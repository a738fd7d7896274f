import { formatBench, runNetfilterBench } from './netfilter-bench';
// Static, not import(): a dynamic import in this one-file bundle would wrap every emulator module it reaches in a
// lazy initializer, and the bench would measure slower code than the app runs (see main/app.ts, labRuntime).
import { kernelConnectionRate } from './netfilter-kernel-rate';

export async function main(args: string[]): Promise<void> {
  const sizes = [10, 1000, 10000];
  console.log('netfilter hot path: 10-packet HTTP requests, pod on node A → ClusterIP → endpoint on node B');
  runNetfilterBench(10, 300); // warm-up
  const results = sizes.map((n) => runNetfilterBench(n, Number(process.env.BENCH_MS ?? 2000)));
  for (const r of results) console.log(formatBench(r));
  const per = results.map((r) => r.seconds / r.requests);
  console.log(`per-request cost 10,000 vs 10 Services: ${(per[2]! / per[0]!).toFixed(2)}× (target ≤ 1.5×)`);
  if (args.includes('--kernel')) {
    const k = await kernelConnectionRate(1000, Number(process.env.KERNEL_CONNS ?? 2000));
    if ('skipped' in k) console.log(`kernel: skipped (${k.skipped})`);
    else {
      const emu = results[1]!.requests / results[1]!.seconds;
      console.log(`kernel (1,000 Services, iptables-restore of the emulator's ruleset, new TCP connection per request, one at a time, C client and server): ${Math.round(k.perSecond).toLocaleString('en-US')} conn/s (wall)`);
      console.log(`ratio emulator netfilter / kernel: ${(emu / k.perSecond).toFixed(1)}×`);
    }
  }
}
