#!/usr/bin/env node
// audio-store benchmarks. Run with `npm run bench`: it builds dist/ first, and the run measures
// that build (copied once at start, see bench/package.mjs), on local disk in a temp dir. Options:
//   --quick        fewer repetitions, for a smoke run (its numbers are noisier)
//   --no-docs      print only; leave docs/benchmarks.md alone
//   --out FILE     write the report somewhere else
// Environment: AUDIO_STORE_BENCH_S3=ceph, or AUDIO_STORE_BENCH_S3_ENDPOINT (+ credentials), adds
// the S3 section (see bench/s3-target.mjs).
//
// Speed is measured here, not asserted in tests: every number is printed next to a baseline
// measured in the same run, on the same machine, with the same source.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KiB, MiB, fmt, makeWav, mbps, median, nullSink, percentile, wavSource } from './lib.mjs';
import { snapshotDist } from './package.mjs';
import { openS3Target } from './s3-target.mjs';
import { render } from './report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const WRITE_DOCS = !args.includes('--no-docs');
const OUT = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1]) : path.join(ROOT, 'docs', 'benchmarks.md');

const SIZES = [1 * MiB, 10 * MiB, 100 * MiB];
// Memory also at 300 MiB: shows whether growth levels off or keeps going.
const MEMORY_SIZES = QUICK ? SIZES : [...SIZES, 300 * MiB];
// S3: three processes per point (peaks vary with lib-storage's parts in flight); past 100 MiB,
// where multipart uploads run at full queue; 200 MiB rather than 300, since the throwaway Ceph
// keeps deleted objects in RAM for a minute or two.
const S3_MEMORY_SIZES = [1 * MiB, 100 * MiB, 200 * MiB];
/** A hung S3 endpoint must not hang the run: the whole S3 section gives up after this. */
const S3_DEADLINE_MS = 240_000;
const REPS = QUICK ? { [MiB]: 3, [10 * MiB]: 3, [100 * MiB]: 2 } : { [MiB]: 9, [10 * MiB]: 7, [100 * MiB]: 5 };
const S3_REPS = QUICK ? { [MiB]: 2, [10 * MiB]: 2, [100 * MiB]: 1 } : { [MiB]: 9, [10 * MiB]: 5, [100 * MiB]: 3 };
const NOTE_BYTES = 30 * KiB;
const NOTE_COUNT = 500;
const NOTE_WARMUP = 50;
const NOTE_REPS = QUICK ? 1 : 3;
const NOTE_CONCURRENCY = [1, 16];

const log = (msg) => process.stderr.write(`[bench ${((performance.now() / 1000) | 0).toString().padStart(3)}s] ${msg}\n`);
const gc = () => globalThis.gc?.();
const slug = (s) => s.replace(/[^a-z0-9]+/gi, '-');

// ---------------------------------------------------------------------------------------------
// Clean-up: the temp dir, the dist/ copy and any S3 server we started go away even on Ctrl-C.
const cleanups = [];
// One build for the whole run, whatever else rebuilds dist/ meanwhile (see bench/package.mjs).
const removeDistCopy = snapshotDist();
cleanups.push(async () => removeDistCopy());
let ops_, breakdown_;
try {
  ops_ = await import('./ops.mjs');
  breakdown_ = await import('./put-breakdown.mjs');
} catch (err) {
  removeDistCopy();
  throw err;
}
const { localOps, makeOps, S3_PART_SIZE, S3_QUEUE_SIZE } = ops_;
const { putBreakdown } = breakdown_;
async function cleanupAll() {
  while (cleanups.length) await cleanups.pop()().catch((err) => log(`clean-up failed: ${err.message}`));
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    interrupted = true;
    log(`${sig}: cleaning up`);
    cleanupAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
/** Times `ops[op][impl]` for every size; impls alternate (rotating order) so drift hits all alike. */
async function throughput(ops, op, impls, sizes, reps, label) {
  const out = [];
  for (const size of sizes) {
    const times = Object.fromEntries(impls.map((i) => [i, []]));
    const getName = `get-${size}`;
    if (op === 'get') await ops.prepare(size, getName);
    const n = reps[size];
    // rep -1 is a warm-up, not recorded: at the first size only (code, connections, folders), so
    // that large objects are not written once more than measured.
    for (let rep = size === sizes[0] ? -1 : 0; rep < n; rep++) {
      const order = impls.map((_, i) => impls[(i + rep + 1) % impls.length]);
      for (const impl of order) {
        const name = op === 'put' ? `put-${size}-${slug(impl)}-${rep + 1}` : getName;
        gc();
        const t0 = performance.now();
        const bytes = await ops[op][impl](size, name, undefined);
        const ms = performance.now() - t0;
        if (bytes !== size) throw new Error(`${label} ${op} ${impl}: moved ${bytes} bytes, expected ${size}`);
        if (op === 'put') await ops.remove(name);
        if (rep >= 0) times[impl].push(ms);
      }
    }
    const row = { size, reps: n, impls: {} };
    for (const impl of impls) {
      const ms = median(times[impl]);
      row.impls[impl] = { ms, mbps: mbps(size, ms), all: times[impl].map((t) => mbps(size, t)) };
    }
    log(`${label} ${op} ${fmt.size(size)}: ${impls.map((i) => `${i} ${fmt.rate(row.impls[i].mbps)} MiB/s`).join(', ')}`);
    out.push(row);
  }
  return out;
}

/** Rates of the source alone and of SHA-256 over it: what bounds any put on this machine. */
async function references(size, reps) {
  const rows = [];
  const kinds = {
    'source → null sink': async () => {
      const sink = nullSink();
      await pipeline(wavSource(size), sink);
      return sink.bytes;
    },
    'source → SHA-256 → null sink': async () => {
      const hash = createHash('sha256');
      let bytes = 0;
      await pipeline(wavSource(size), new Writable({ write(c, _e, cb) { hash.update(c); bytes += c.length; cb(); } }));
      hash.digest();
      return bytes;
    },
  };
  for (const [name, fn] of Object.entries(kinds)) {
    const times = [];
    for (let rep = -1; rep < reps; rep++) {
      const t0 = performance.now();
      await fn();
      if (rep >= 0) times.push(performance.now() - t0);
    }
    rows.push({ name, mbps: mbps(size, median(times)) });
  }
  log(`reference: ${rows.map((r) => `${r.name} ${fmt.rate(r.mbps)} MiB/s`).join(', ')}`);
  return rows;
}

// ---------------------------------------------------------------------------------------------
const runChild = promisify(execFile);
/** One operation in a fresh `node` process; returns its memory before and at peak. */
async function memoryRun(target, op, impl, size, name) {
  const payload = JSON.stringify({ target, op, impl, size, name });
  const { stdout } = await runChild(process.execPath, ['--expose-gc', path.join(HERE, 'memory-child.mjs'), payload], {
    cwd: ROOT,
    timeout: 90_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

/**
 * Peak memory of one op per fresh process, for each code and size. With `samples` > 1 each point
 * is the process with the median peak RSS (S3 peaks depend on how many parts are in flight).
 */
async function memory(target, ops, sizes, label, samples = 1) {
  const rows = [];
  for (const op of ['put', 'get']) {
    const byImpl = { 'audio-store': { op, impl: 'audio-store', samples, bySize: {} }, baseline: { op, impl: 'baseline', samples, bySize: {} } };
    for (const size of sizes) {
      if (op === 'get') await ops.prepare(size, `get-${size}`);
      const runs = { 'audio-store': [], baseline: [] };
      for (let i = 0; i < samples; i++) {
        for (const impl of i % 2 ? ['baseline', 'audio-store'] : ['audio-store', 'baseline']) {
          const name = op === 'get' ? `get-${size}` : `mem-put-${slug(impl)}-${size}`;
          runs[impl].push(await memoryRun(target, op, impl, size, name));
        }
      }
      for (const impl of Object.keys(runs)) {
        const sorted = runs[impl].sort((a, b) => a.peak.maxRSS - b.peak.maxRSS);
        byImpl[impl].bySize[size] = { ...sorted[(sorted.length - 1) >> 1], rssRange: [sorted[0].peak.maxRSS, sorted.at(-1).peak.maxRSS] };
      }
    }
    for (const row of Object.values(byImpl)) {
      const lo = row.bySize[sizes[0]].peak;
      const hi = row.bySize[sizes.at(-1)].peak;
      log(`${label} memory ${op} ${row.impl}: peak RSS ${fmt.mb(lo.maxRSS)} → ${fmt.mb(hi.maxRSS)} MiB, heap ${fmt.mb(lo.heapUsed)} → ${fmt.mb(hi.heapUsed)} MiB`);
      rows.push(row);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
/** `count` writes of `bytes`, `concurrency` at a time; ops/s and per-op latency. */
async function pool(count, concurrency, fn) {
  let next = 0;
  const lat = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await fn(i);
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms: performance.now() - t0, lat };
}

async function smallNotes(dir) {
  const ops = localOps(path.join(dir, 'notes'));
  const storeDir = path.join(dir, 'notes', 'store');
  const rawDir = path.join(dir, 'notes', 'raw');
  const note = makeWav(NOTE_BYTES);
  const impls = {
    'audio-store': (tag) => (i) => ops.store.put(note, { key: `notes/${tag}/${i}.wav`, contentType: 'audio/wav' }),
    baseline: (tag) => (i) => fs.promises.writeFile(path.join(rawDir, tag, `${i}.wav`), note),
    // Not the baseline: the least a durable, atomic write does (what audio-store does for the data file).
    'temp + datasync + rename': (tag) => async (i) => {
      const tmp = path.join(rawDir, tag, `${i}.tmp`);
      const fh = await fs.promises.open(tmp, 'wx');
      try {
        await fh.write(note, 0, note.length);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, path.join(rawDir, tag, `${i}.wav`));
    },
  };
  const names = Object.keys(impls);
  const rows = [];
  for (const concurrency of NOTE_CONCURRENCY) {
    const res = Object.fromEntries(names.map((n) => [n, { opsPerSec: [], lat: [] }]));
    for (let rep = -1; rep < NOTE_REPS; rep++) {
      const order = names.map((_, i) => names[(i + rep + 1) % names.length]);
      for (const impl of order) {
        const tag = `${slug(impl)}-c${concurrency}-r${rep + 1}`;
        await fs.promises.mkdir(path.join(rawDir, tag), { recursive: true });
        gc();
        // The warm-up round is shorter: it only has to get files, folders and code paths going.
        const { ms, lat } = await pool(rep < 0 ? NOTE_WARMUP : NOTE_COUNT, concurrency, impls[impl](tag));
        await fs.promises.rm(path.join(rawDir, tag), { recursive: true, force: true });
        await fs.promises.rm(path.join(storeDir, 'notes', tag), { recursive: true, force: true });
        if (rep < 0) continue;
        res[impl].opsPerSec.push(NOTE_COUNT / (ms / 1000));
        res[impl].lat.push(...lat);
      }
    }
    const row = { concurrency, impls: {} };
    for (const impl of names) {
      row.impls[impl] = { opsPerSec: median(res[impl].opsPerSec), p50: percentile(res[impl].lat, 50), p99: percentile(res[impl].lat, 99) };
    }
    log(`notes c=${concurrency}: ${names.map((n) => `${n} ${row.impls[n].opsPerSec.toFixed(0)} ops/s`).join(', ')}`);
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const started = new Date();
  const t0 = performance.now();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: started.toISOString(),
    quick: QUICK,
    command: [
      process.env.AUDIO_STORE_BENCH_S3_ENDPOINT ? 'AUDIO_STORE_BENCH_S3_ENDPOINT=… ' : process.env.AUDIO_STORE_BENCH_S3 ? `AUDIO_STORE_BENCH_S3=${process.env.AUDIO_STORE_BENCH_S3} ` : '',
      'npm run bench',
      args.length ? ` -- ${args.join(' ')}` : '',
    ].join(''),
    loadStart: os.loadavg()[0],
    pkg: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
  };
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}${QUICK ? ' (quick)' : ''}`);

  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'audio-store-bench-'));
  cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
  const local = { kind: 'local', dir: path.join(dir, 'tp') };
  const ops = localOps(local.dir);

  const results = { machine, sizes: SIZES, memorySizes: MEMORY_SIZES, reps: REPS, s3Reps: S3_REPS, note: { bytes: NOTE_BYTES, count: NOTE_COUNT, warmup: NOTE_WARMUP, reps: NOTE_REPS } };
  results.reference = await references(100 * MiB, QUICK ? 2 : 3);
  results.put = await throughput(ops, 'put', ['baseline', 'audio-store', 'baseline + fsync'], SIZES, REPS, 'local');
  results.get = await throughput(ops, 'get', ['baseline', 'audio-store', 'FileHandle stream', 'fd stream'], SIZES, REPS, 'local');
  results.memory = await memory(local, ops, MEMORY_SIZES, 'local');
  results.notes = await smallNotes(dir);
  results.breakdown = await putBreakdown(path.join(dir, 'breakdown'), NOTE_BYTES, QUICK ? 100 : 300);
  log(`breakdown: ${results.breakdown.storeMs.toFixed(2)} ms per small put, ${results.breakdown.rawMs.toFixed(2)} ms per temp + datasync + rename`);

  const s3 = await openS3Target(log);
  if (s3.skip) {
    log(`S3 section skipped: ${s3.skip}`);
    results.s3 = { skipped: s3.skip };
  } else {
    cleanups.push(() => s3.cleanup());
    let timer;
    try {
      const s3ops = await makeOps(s3.target);
      const section = async () => {
        const out = { label: s3.label, partSize: S3_PART_SIZE, queueSize: S3_QUEUE_SIZE };
        out.put = await throughput(s3ops, 'put', ['baseline', 'audio-store', 'raw Upload + SHA-256'], SIZES, S3_REPS, 's3');
        out.get = await throughput(s3ops, 'get', ['baseline', 'audio-store'], SIZES, S3_REPS, 's3');
        out.memory = await memory(s3.target, s3ops, S3_MEMORY_SIZES, 's3', QUICK ? 1 : 3);
        return out;
      };
      const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the S3 section took over ${S3_DEADLINE_MS / 1000} s; is the endpoint hung (a full Ceph memstore hangs PUTs)?`)), S3_DEADLINE_MS);
      });
      results.s3 = await Promise.race([section(), deadline]);
      await s3ops.close();
    } catch (err) {
      log(`S3 section failed, skipped: ${err.message ?? err}`);
      results.s3 = { skipped: `failed during the run: ${err.name}: ${err.message.split('\n')[0]}` };
    } finally {
      clearTimeout(timer);
    }
  }

  if (interrupted) return;
  results.seconds = (performance.now() - t0) / 1000;
  machine.loadEnd = os.loadavg()[0];
  const { markdown, console: text } = render(results);
  process.stdout.write(`${text}\n`);
  if (WRITE_DOCS) {
    await fs.promises.writeFile(OUT, markdown);
    log(`wrote ${path.relative(process.cwd(), OUT)}`);
  }
  log(`done in ${results.seconds.toFixed(0)} s`);
}

try {
  await main();
} catch (err) {
  process.exitCode = 1;
  log(`failed: ${err.stack ?? err}`);
} finally {
  await cleanupAll();
}
