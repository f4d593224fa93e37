// Runs ONE operation in a fresh process and prints its memory use as JSON, so that heaps of
// different sizes never mix. Started by bench/run.mjs as
//   node --expose-gc bench/memory-child.mjs '{"target":{...},"op":"put","impl":"baseline","size":1048576}'
import { setTimeout as sleep } from 'node:timers/promises';
import { KiB, memorySampler, resetHighWaterRss } from './lib.mjs';
import { makeOps } from './ops.mjs';

const { target, op, impl, size, name } = JSON.parse(process.argv[2]);
const ops = await makeOps(target);
const run = ops[op][impl];

// A small round of the same operation first: module loading, lazy SDK imports and first-use
// allocations are start-up costs, not costs that grow with the object.
const warm = `${name}-warm`;
await ops.prepare(64 * KiB, warm);
await run(64 * KiB, warm, () => {});
await ops.remove(warm);

globalThis.gc?.();
await sleep(20);
globalThis.gc?.();
// Linux: reset the kernel's peak-RSS mark, so that the peak below is the operation's own and
// not start-up's. Elsewhere it is the peak over the process's life.
const peakReset = resetHighWaterRss();
const before = process.memoryUsage();
const sampler = memorySampler(2);
const t0 = performance.now();
const bytes = await run(size, name, sampler.tick);
const ms = performance.now() - t0;
const peak = sampler.stop();
if (bytes !== size) throw new Error(`${op} ${impl} moved ${bytes} bytes, expected ${size}`);
if (op === 'put') await ops.remove(name);
await ops.close();

process.stdout.write(`${JSON.stringify({ before, peak, ms, peakReset })}\n`);
