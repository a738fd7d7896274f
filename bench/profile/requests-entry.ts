/**
 * The HTTP bench's request loop alone, for instruction counts (callgrind.sh): one path's rig prepared and warmed
 * up as the bench does it (bench/http-bench.ts), then R requests. Environment: P = pod | lb, N = Services, R.
 */
import { prepareHttpBench } from '../http-bench';

const path = process.env.P === 'lb' ? 'lb' : 'pod';
const rig = prepareHttpBench(Number(process.env.N ?? 1000), path);
(globalThis as { gc?: () => void }).gc?.();
const requests = Number(process.env.R ?? 1500);
for (let i = 0; i < requests; i++) {
  rig.one((i * 7919) % rig.urls);
  rig.advance(1);
}
