// Turns the results of bench/run.mjs into docs/benchmarks.md and the stdout summary.
import { MiB, fmt, table } from './lib.mjs';

/** Extra growth (1 MiB → largest size) over the baseline's that still counts as flat. */
export const FLAT_SLACK = 16 * MiB;

const sizeCol = (size) => fmt.size(size);

/** The median rate, and the slowest and fastest repetition. */
const withSpread = (impl) => `${fmt.rate(impl.mbps)} (${fmt.rate(Math.min(...impl.all))}–${fmt.rate(Math.max(...impl.all))})`;

/** baseline, audio-store, ratio; then each reference code with its rate and audio-store's ratio to it. */
function rateTable(rows) {
  const refs = Object.keys(rows[0].impls).filter((i) => i !== 'baseline' && i !== 'audio-store');
  const headers = ['size', 'reps', 'baseline MiB/s (min–max)', 'audio-store MiB/s (min–max)', 'ratio', ...refs.flatMap((r) => [`${r} MiB/s`, `ratio vs ${r}`])];
  return table(
    headers,
    rows.map((r) => {
      const b = r.impls.baseline.mbps;
      const s = r.impls['audio-store'].mbps;
      return [
        sizeCol(r.size),
        r.reps,
        withSpread(r.impls.baseline),
        withSpread(r.impls['audio-store']),
        fmt.ratio(s / b),
        ...refs.flatMap((ref) => [fmt.rate(r.impls[ref].mbps), fmt.ratio(s / r.impls[ref].mbps)]),
      ];
    }),
  );
}

const sizesOf = (row) => Object.keys(row.bySize).map(Number).sort((a, b) => a - b);
/** Peak `metric` at `to` minus at the smallest size. */
function growth(row, metric, to = sizesOf(row).at(-1)) {
  return row.bySize[to].peak[metric] - row.bySize[sizesOf(row)[0]].peak[metric];
}
/** The size the growth column reports: 100 MiB when measured, else the largest. */
const growthTo = (row) => (row.bySize[100 * MiB] ? 100 * MiB : sizesOf(row).at(-1));

/**
 * Per op, two questions, both against the baseline measured alongside. Between the two largest
 * sizes, does audio-store's peak RSS grow by a quarter of the added data or more beyond what the
 * baseline's does? (Buffering the object would add all of it.) And over the whole range, how much
 * more does it grow than the baseline, for RSS, heap and Buffers? `kind` is 'grows' for the
 * first, 'flat' when the second stays within FLAT_SLACK, and 'bounded' otherwise.
 */
export function memoryVerdicts(rows) {
  const out = {};
  for (const op of ['put', 'get']) {
    const s = rows.find((r) => r.op === op && r.impl === 'audio-store');
    const b = rows.find((r) => r.op === op && r.impl === 'baseline');
    const excess = (metric) => growth(s, metric) - growth(b, metric);
    const rss = excess('maxRSS');
    const heap = excess('heapUsed');
    const buf = excess('arrayBuffers');
    const sizes = sizesOf(s);
    const last = (row) => row.bySize[sizes.at(-1)].peak.maxRSS - row.bySize[sizes.at(-2)].peak.maxRSS;
    const levels = last(s) - last(b) < (sizes.at(-1) - sizes.at(-2)) / 4;
    const close = rss < FLAT_SLACK && heap < FLAT_SLACK && buf < FLAT_SLACK;
    const kind = !levels ? 'grows' : close ? 'flat' : 'bounded';
    out[op] = {
      rss,
      heap,
      buf,
      kind,
      flat: kind === 'flat',
      over: Math.max(rss, heap, buf),
      lastStep: last(s),
      baseLastStep: last(b),
      storeRss: growth(s, 'maxRSS', growthTo(s)),
      baseRss: growth(b, 'maxRSS', growthTo(b)),
      storeRssMax: growth(s, 'maxRSS'),
      baseRssMax: growth(b, 'maxRSS'),
      storeHeap: growth(s, 'heapUsed', growthTo(s)),
      to: growthTo(s),
      max: sizesOf(s).at(-1),
    };
  }
  return out;
}

function memoryTable(rows) {
  const verdicts = memoryVerdicts(rows);
  const sizes = sizesOf(rows[0]);
  const lo = sizes[0];
  const to = growthTo(rows[0]);
  const headers = [
    'op',
    'code',
    ...sizes.map((s) => `peak RSS @ ${fmt.size(s)}`),
    `RSS growth ${fmt.size(lo)} → ${fmt.size(to)}`,
    `peak heap @ ${fmt.size(lo)}`,
    `peak heap @ ${fmt.size(to)}`,
    'heap growth',
    `peak Buffers @ ${fmt.size(lo)}`,
    `peak Buffers @ ${fmt.size(to)}`,
    'verdict',
  ];
  return table(
    headers,
    rows.map((r) => {
      const v = verdicts[r.op];
      const verdict =
        r.impl === 'baseline' ? '' : v.kind === 'flat' ? 'flat' : v.kind === 'bounded' ? `levels off; ${fmt.signedMb(v.over)} vs baseline` : '**GROWS** with the object';
      return [
        r.op,
        r.impl,
        ...sizes.map((s) => fmt.mb(r.bySize[s].peak.maxRSS)),
        fmt.signedMb(growth(r, 'maxRSS', to)),
        fmt.mb(r.bySize[lo].peak.heapUsed),
        fmt.mb(r.bySize[to].peak.heapUsed),
        fmt.signedMb(growth(r, 'heapUsed', to)),
        fmt.mb(r.bySize[lo].peak.arrayBuffers),
        fmt.mb(r.bySize[to].peak.arrayBuffers),
        verdict,
      ];
    }),
  );
}

function breakdownTable(b) {
  const rows = b.calls.map((c) => [`\`${c.call}\``, c.callsPerPut.toFixed(2), fmt.ms(c.msPerPut)]);
  rows.push(['all fs calls', '', fmt.ms(b.fsMs)]);
  rows.push(['everything else (core: checks, sniff, SHA-256, streams)', '', fmt.ms(Math.max(0, b.storeMs - b.fsMs))]);
  rows.push(['**one put, total**', '', `**${fmt.ms(b.storeMs)}**`]);
  return table(['fs call (local backend)', 'calls per put', 'ms per put'], rows);
}

function notesTable(rows) {
  return table(
    ['concurrency', 'baseline ops/s', 'audio-store ops/s', 'ratio', 'temp + datasync + rename ops/s', 'ratio vs durable', 'audio-store p50 / p99 ms', 'baseline p50 / p99 ms'],
    rows.map((r) => {
      const b = r.impls.baseline;
      const s = r.impls['audio-store'];
      const d = r.impls['temp + datasync + rename'];
      return [
        r.concurrency,
        b.opsPerSec.toFixed(0),
        s.opsPerSec.toFixed(0),
        fmt.ratio(s.opsPerSec / b.opsPerSec),
        d.opsPerSec.toFixed(0),
        fmt.ratio(s.opsPerSec / d.opsPerSec),
        `${fmt.ms(s.p50)} / ${fmt.ms(s.p99)}`,
        `${fmt.ms(b.p50)} / ${fmt.ms(b.p99)}`,
      ];
    }),
  );
}

const at = (rows, size) => rows.find((r) => r.size === size);
/** A memory verdict in words. */
const kindText = (v) =>
  v.kind === 'flat'
    ? '**flat**'
    : v.kind === 'bounded'
      ? `levels off, but ${fmt.signedMb(v.over)} MiB more growth than the baseline`
      : '**grows with the object**';
const ratioOf = (row, other = 'baseline') => row.impls['audio-store'].mbps / row.impls[other].mbps;
const DURABLE = 'temp + datasync + rename';

function summary(res) {
  const big = res.sizes.at(-1);
  const putBig = at(res.put, big);
  const getBig = at(res.get, big);
  const mem = memoryVerdicts(res.memory);
  const b = res.breakdown;
  const lines = [
    `- **put, local disk, ${fmt.size(big)} streamed:** ${fmt.rate(putBig.impls['audio-store'].mbps)} MiB/s = ` +
      `${fmt.ratio(ratioOf(putBig))} the raw \`pipeline → fs.createWriteStream\` baseline, ` +
      `${fmt.ratio(ratioOf(putBig, 'baseline + fsync'))} the same raw write made durable with an fsync. ` +
      `By size: ${res.put.map((r) => `${fmt.size(r.size)} ${fmt.ratio(ratioOf(r))} (${fmt.ratio(ratioOf(r, 'baseline + fsync'))} vs fsync)`).join(', ')}.`,
    `- **get, local disk, ${fmt.size(big)}:** ${fmt.rate(getBig.impls['audio-store'].mbps)} MiB/s = ` +
      `${fmt.ratio(ratioOf(getBig))} the raw \`fs.createReadStream\` baseline ` +
      `(${fmt.ratio(ratioOf(getBig, 'FileHandle stream'))} a raw \`FileHandle.createReadStream\`). ` +
      `By size: ${res.get.map((r) => `${fmt.size(r.size)} ${fmt.ratio(ratioOf(r))}`).join(', ')}.`,
    ...['put', 'get'].map((op) => {
      const v = mem[op];
      const more = v.max !== v.to ? `; to ${fmt.size(v.max)}: ${fmt.signedMb(v.storeRssMax)} MiB (baseline ${fmt.signedMb(v.baseRssMax)} MiB)` : '';
      return (
        `- **memory, ${op}:** peak RSS grows ${fmt.signedMb(v.storeRss)} MiB from 1 MiB to ${fmt.size(v.to)} ` +
        `(baseline ${fmt.signedMb(v.baseRss)} MiB)${more}; heap ${fmt.signedMb(v.storeHeap)} MiB: ` +
        `${kindText(v)}.`
      );
    }),
    ...res.notes.map((r) => {
      const s = r.impls['audio-store'];
      return (
        `- **${res.note.count} × ${fmt.size(res.note.bytes)} notes, concurrency ${r.concurrency}:** ${s.opsPerSec.toFixed(0)} puts/s ` +
        `(p50 ${fmt.ms(s.p50)} ms) = ${fmt.ratio(s.opsPerSec / r.impls.baseline.opsPerSec)} \`fs.promises.writeFile\`, ` +
        `${fmt.ratio(s.opsPerSec / r.impls[DURABLE].opsPerSec)} a minimal durable write (temp file + datasync + rename).`
      );
    }),
    `- **one small put, sequential:** ${fmt.ms(b.storeMs)} ms, of which ${fmt.ms(b.fsMs)} ms in ${b.calls.reduce((n, c) => n + c.callsPerPut, 0).toFixed(0)} fs calls ` +
      `(${b.calls.slice(0, 3).map((c) => `${c.callsPerPut.toFixed(0)}× \`${c.call}\` ${fmt.ms(c.msPerPut)} ms`).join(', ')}); ` +
      `the same put on the memory backend takes ${fmt.ms(b.coreMs)} ms and a minimal durable write ${fmt.ms(b.rawMs)} ms.`,
  ];
  if (res.s3?.put) {
    const p = at(res.s3.put, big);
    const g = at(res.s3.get, big);
    const m = memoryVerdicts(res.s3.memory);
    const grow = (v, op) => `${op} ${fmt.signedMb(v.storeRss)} MiB to ${fmt.size(v.to)}${v.max !== v.to ? `, ${fmt.signedMb(v.storeRssMax)} MiB to ${fmt.size(v.max)}` : ''} (raw SDK ${fmt.signedMb(v.baseRss)}${v.max !== v.to ? ` / ${fmt.signedMb(v.baseRssMax)}` : ''})`;
    lines.push(
      `- **S3 on ${res.s3.label}, ${fmt.size(big)}:** put ${fmt.rate(p.impls['audio-store'].mbps)} MiB/s = ${fmt.ratio(ratioOf(p))} a raw lib-storage Upload; ` +
        `get ${fmt.rate(g.impls['audio-store'].mbps)} MiB/s = ${fmt.ratio(ratioOf(g))} a raw GetObject. ` +
        `Peak RSS growth from 1 MiB: ${grow(m.put, 'put')}, ${grow(m.get, 'get')}: ` +
        `put ${kindText(m.put)}, get ${kindText(m.get)}.`,
    );
  } else {
    lines.push(`- **S3:** not measured in this run (${res.s3.skipped}).`);
  }
  return lines.join('\n');
}

function interpretation(res) {
  const big = res.sizes.at(-1);
  const putBig = at(res.put, big);
  const put1 = at(res.put, res.sizes[0]);
  const getBig = at(res.get, big);
  const sha = res.reference.find((r) => r.name.includes('SHA')).mbps;
  const src = res.reference.find((r) => r.name.startsWith('source → null')).mbps;
  const mem = memoryVerdicts(res.memory);
  const b = res.breakdown;
  const call = (name) => b.calls.filter((c) => c.call.includes(name)).reduce((a, c) => ({ n: a.n + c.callsPerPut, ms: a.ms + c.msPerPut }), { n: 0, ms: 0 });
  const sync = call('datasync');
  const open = call('open');
  const mkdir = call('mkdir');
  const p = [];

  p.push(
    `**put.** audio-store does more per byte than the raw write, on purpose: it counts and SHA-256-hashes every byte as it streams ` +
      `(the \`checksum.sha256\` it returns), writes a temp file, \`datasync\`s it, writes a JSON sidecar the same way, and renames both into place. ` +
      `The raw write made durable with an fsync runs at ${fmt.rate(putBig.impls['baseline + fsync'].mbps)} MiB/s at ${fmt.size(big)}, and audio-store reaches ` +
      `${fmt.ratio(ratioOf(putBig, 'baseline + fsync'))} of that` +
      (ratioOf(putBig, 'baseline + fsync') >= 0.85 ? `: nearly all of the gap to the raw baseline is the fsync. ` : `, so the fsync explains only part of the gap. `) +
      `SHA-256 alone runs at ${fmt.rate(sha)} MiB/s over the same source here (the source itself at ${fmt.rate(src)} MiB/s)` +
      (sha >= 2 * putBig.impls['audio-store'].mbps ? `, so hashing is not what limits a put on this disk. ` : `, close enough to the put rate to be part of its cost. `) +
      `At ${fmt.size(res.sizes[0])} fixed per-object costs weigh more (${fmt.ratio(ratioOf(put1, 'baseline + fsync'))} vs fsync), see the small notes.`,
  );
  const fh = ratioOf(getBig, 'FileHandle stream');
  const fdRate = getBig.impls['fd stream'].mbps;
  p.push(
    `**get.** A local get opens the file, stats it, reads the sidecar and hands back the open file's own stream ` +
      `(\`FileHandle.createReadStream\`). At ${fmt.size(big)} it runs at ${fmt.ratio(fh)} of a raw FileHandle stream and ${fmt.ratio(ratioOf(getBig))} of \`fs.createReadStream\`` +
      (fh >= 0.9
        ? `: the remaining gap is Node's promise-based FileHandle stream, not audio-store's code. `
        : `: slower than the FileHandle stream it wraps, which is audio-store's own cost. `) +
      `Reading the same open descriptor with \`fs.createReadStream(path, { fd: handle.fd })\` ("fd stream") runs at ${fmt.rate(fdRate)} MiB/s ` +
      `(${fmt.ratio(fdRate / getBig.impls['FileHandle stream'].mbps)} the FileHandle stream)` +
      (fdRate >= 1.1 * getBig.impls['FileHandle stream'].mbps
        ? `, so the backend could keep its one open handle per get and still close most of that gap. `
        : `. `) +
      `At small sizes the extra open/stat/sidecar read shows. All reads hit the page cache (the files were just written).`,
  );
  const more = (v) => v.storeRssMax - v.storeRss;
  const levels = ['put', 'get'].every((op) => more(mem[op]) < (mem[op].max - mem[op].to) / 4);
  const plateau = mem.put.max !== mem.put.to
    ? ` From ${fmt.size(mem.put.to)} to ${fmt.size(mem.put.max)} peak RSS moves ${fmt.signedMb(more(mem.put))} MiB on put and ${fmt.signedMb(more(mem.get))} MiB on get` +
      (levels ? `: it has levelled off.` : `: **it keeps growing with the object**.`)
    : '';
  const bufs = (op, impl) => {
    const row = res.memory.find((r) => r.op === op && r.impl === impl);
    return sizesOf(row).slice(-2).map((sz) => `${fmt.mb(row.bySize[sz].peak.arrayBuffers)} MiB at ${fmt.size(sz)}`).join(', ');
  };
  p.push(
    `**memory.** From 1 MiB to ${fmt.size(mem.put.to)} audio-store's peak RSS grows ${fmt.signedMb(mem.put.storeRss)} MiB on put and ` +
      `${fmt.signedMb(mem.get.storeRss)} MiB on get, against ${fmt.signedMb(mem.put.baseRss)} / ${fmt.signedMb(mem.get.baseRss)} MiB for the raw baselines; ` +
      `heap used grows ${fmt.signedMb(mem.put.storeHeap)} / ${fmt.signedMb(mem.get.storeHeap)} MiB.${plateau} ` +
      `The growth both sides share is Buffer memory: 64 KiB chunks already passed on but not yet collected (peak Buffers on put: ` +
      `audio-store ${bufs('put', 'audio-store')}; raw baseline ${bufs('put', 'baseline')}). V8 frees them in batches, so this is a fixed ceiling, ` +
      `not a copy of the object. ` +
      (mem.put.kind === 'grows' || mem.get.kind === 'grows'
        ? `**audio-store's memory grows with the object**: buffering the object shows up here as growth close to the object size.`
        : mem.put.flat && mem.get.flat
          ? `Nothing is buffered whole: memory is flat as objects grow, as the team standard requires.`
          : `Memory levels off (nothing is buffered whole), but audio-store's ceiling sits above the baseline's: put ${kindText(mem.put)}, get ${kindText(mem.get)}.`),
  );
  p.push(
    `**small notes.** A ${fmt.size(res.note.bytes)} put is all fixed cost. The raw \`writeFile\` baseline neither fsyncs nor renames, so the ratio ` +
      `against it mostly prices durability; the fairer reference is the minimal durable write (temp file, datasync, rename, ${fmt.ms(b.rawMs)} ms here). ` +
      `audio-store takes ${fmt.ms(b.storeMs)} ms, about ${(b.storeMs / b.rawMs).toFixed(1)}× that: per put it makes ${open.n.toFixed(0)} new files ` +
      `(${fmt.ms(open.ms)} ms), ${sync.n.toFixed(0)} datasyncs (${fmt.ms(sync.ms)} ms; the sidecar is made durable separately from the data) and ` +
      `${mkdir.n.toFixed(0)} recursive mkdirs of folders that already exist (${fmt.ms(mkdir.ms)} ms), all one after the other; ` +
      `the core's own work (checks, sniffing, SHA-256, streams) is ${fmt.ms(b.coreMs)} ms (memory backend). ` +
      `Concurrency hides part of the fsync latency on every variant.`,
  );
  if (res.s3?.put) {
    const s3put = at(res.s3.put, big);
    const s3get = at(res.s3.get, big);
    const m = memoryVerdicts(res.s3.memory);
    const storePut = res.s3.memory.find((r) => r.op === 'put' && r.impl === 'audio-store');
    const rawPut = res.s3.memory.find((r) => r.op === 'put' && r.impl === 'baseline');
    const bufAt = (row, size) => fmt.mb(row.bySize[size].peak.arrayBuffers);
    const sizes = sizesOf(storePut);
    const step = (row) => row.bySize[sizes.at(-1)].peak.maxRSS - row.bySize[sizes.at(-2)].peak.maxRSS;
    const tail = step(storePut);
    const rawTail = step(rawPut);
    const added = sizes.at(-1) - sizes.at(-2);
    p.push(
      `**S3.** Both sides use the same client options, part size (${fmt.size(res.s3.partSize)}) and queue size (${res.s3.queueSize}). ` +
        `At ${fmt.size(big)} audio-store puts at ${fmt.ratio(ratioOf(s3put))} the raw Upload and ${fmt.ratio(ratioOf(s3put, 'raw Upload + SHA-256'))} a raw Upload fed ` +
        `the kind of stream audio-store hands it (chunks SHA-256-hashed on their way through an async generator)` +
        (ratioOf(s3put) >= 0.9
          ? `: no gap beyond this run's noise. `
          : ratioOf(s3put, 'raw Upload + SHA-256') >= 0.85
            ? `: most of the gap is the price of computing the checksum on the same JS thread, on the same 2 cores as the server. `
            : `: more than the checksum explains, worth a look. `) +
        `A get runs at ${fmt.ratio(ratioOf(s3get))} a raw GetObject at ${fmt.size(big)} (it returns the SDK's own body stream). Small objects pay fixed per-call costs ` +
        `(checks, sniffing, a presigned URL for the result of a put), and the S3 rows are the noisiest here: see their min–max. ` +
        `Memory on S3 put is set by lib-storage, which buffers whole parts (up to ${res.s3.queueSize} parts of ${fmt.size(res.s3.partSize)} in flight, plus copies): ` +
        `peak Buffers ${sizes.map((s) => `${bufAt(storePut, s)} MiB at ${fmt.size(s)}`).join(', ')} for audio-store, ` +
        `${sizes.map((s) => bufAt(rawPut, s)).join(' / ')} MiB for the raw Upload. ` +
        `From ${fmt.size(sizes.at(-2))} to ${fmt.size(sizes.at(-1))} (${fmt.size(added)} more data) peak RSS moved ${fmt.signedMb(tail)} MiB ` +
        `(raw Upload ${fmt.signedMb(rawTail)} MiB)` +
        (m.put.kind === 'grows'
          ? `: **audio-store adds a large share of the added data on top of the raw SDK, which is what buffering the object would look like**. `
          : tail < added / 4
            ? `: it levels off once a multipart upload has its full queue of parts in flight, bounded by part size × queue size rather than by the object size. `
            : `: the raw SDK's own peak still creeps up over this range, and audio-store adds nothing to it that scales with the object. `) +
        (m.put.kind === 'bounded'
          ? `audio-store's peak RSS grows ${fmt.signedMb(m.put.rss)} MiB more than the raw Upload's over the whole range while its Buffers differ by ` +
            `${fmt.signedMb(m.put.buf)} MiB: a fixed extra that does not scale with the object. `
          : m.put.kind === 'flat'
            ? `That is no more than the raw SDK. `
            : '') +
        `Each concurrent large S3 upload costs about that much, whichever way it is made. ` +
        `The endpoint runs on the same 2-core machine and competes with the client for CPU: absolute S3 numbers say nothing about AWS, only the ratios are meaningful.`,
    );
  }
  p.push(`On a shared 2-core VM, runs differ by roughly 10–20 %; compare ratios within one run rather than MiB/s across runs.`);
  return p.join('\n\n');
}

function method(res) {
  const reps = res.sizes.map((s) => `${res.reps[s]} at ${fmt.size(s)}`).join(', ');
  return [
    `- **Source.** Every put streams the same body: a valid PCM WAV of the given size produced as a Node \`Readable\` in fresh 64 KiB chunks ` +
      `(like an incoming HTTP request; the samples are copied from a 1 MiB block of xorshift noise, so the source is far faster than what it feeds). ` +
      `Never a Buffer of the whole object. audio-store runs from the built package (\`dist/\`, copied once at the start of the run and loaded from the copy): local backend in a fresh temp dir, ` +
      `\`maxBytes\` 1 GiB, logger off.`,
    `- **Throughput.** Each code runs one untimed warm-up at the smallest size, then ${reps} timed repetitions; tables show the median and the slowest–fastest repetition. ` +
      `The codes alternate within each repetition in rotating order, so disk and CPU drift hit all alike. ` +
      `put baseline: \`stream.pipeline(source, fs.createWriteStream(file))\`; "baseline + fsync" is the same with \`{ flush: true }\` (fsync before close). ` +
      `get: \`(await store.get(key)).body\` vs \`fs.createReadStream\` of the same file, each piped to a null sink; "FileHandle stream" is ` +
      `\`fs.promises.open\` + \`stat\` + \`handle.createReadStream\`, which the local backend uses; "fd stream" is the same open file read through \`fs.createReadStream\` on its descriptor. Files are deleted between put repetitions.`,
    `- **Memory.** One operation per fresh \`node --expose-gc\` process (\`bench/memory-child.mjs\`), after a 64 KiB warm-up of the same operation and a GC. ` +
      (res.memory.every((r) => Object.values(r.bySize).every((x) => x.peakReset))
        ? `Peak RSS is the kernel's high-water mark for the operation alone (\`VmHWM\`, reset through \`/proc/self/clear_refs\` right before it; ` +
          `not \`resourceUsage().maxRSS\`, which in a child also counts the parent's RSS at fork); `
        : `Peak RSS is the kernel's \`process.resourceUsage().maxRSS\` over the child's life; `) +
      `peak heap used and peak Buffer memory (\`arrayBuffers\`, where Node keeps Buffers, outside the heap) ` +
      `come from \`process.memoryUsage()\` sampled every 2 ms and every fourth chunk. "Flat" means audio-store's growth from the smallest to the largest size ` +
      `is within ${fmt.mb(FLAT_SLACK)} MiB of the baseline's, for RSS, heap and Buffers alike.`,
    `- **Small notes.** ${res.note.count} puts of the same ${fmt.size(res.note.bytes)} WAV given as a Buffer, to distinct keys, one at a time and ` +
      `${Math.max(...res.notes.map((r) => r.concurrency))} at a time; a warm-up round of ${res.note.warmup} puts, then ${res.note.reps} timed rounds, median ops/s, latency percentiles over all timed puts. ` +
      `Baseline: \`fs.promises.writeFile\` of the same bytes. Reference: "${DURABLE}" (open \`wx\`, write, datasync, close, rename), the least a durable, atomic write does. ` +
      `The breakdown times ${res.breakdown.count} sequential puts with every fs call timed, through the local backend's public \`local.fs\` option (\`bench/put-breakdown.mjs\`).`,
    res.s3?.put
      ? `- **S3.** ${res.s3.label}. audio-store's S3 backend vs a raw \`@aws-sdk/lib-storage\` \`Upload\` of the same stream (put) and a raw \`GetObject\` of the same object (get), ` +
        `and for reference a raw Upload of the source passed through an async generator that SHA-256-hashes each chunk ("raw Upload + SHA-256"), ` +
        `same client options (path style, checksums "when required"), part size ${fmt.size(res.s3.partSize)}, queue size ${res.s3.queueSize}; ` +
        `${res.sizes.map((s) => `${res.s3Reps[s]} at ${fmt.size(s)}`).join(', ')} timed repetitions after a warm-up at 1 MiB. ` +
        `Memory as above, but each point is the median of ${res.s3.memory[0].samples} processes: an S3 put's peak depends on how many parts happen to be in flight.`
      : `- **S3.** Not measured in this run: ${res.s3.skipped}.`,
  ].join('\n');
}

export function render(res) {
  const m = res.machine;
  const sections = [];
  sections.push(
    `## 1. put throughput, local disk\n\n${rateTable(res.put)}\n\n` +
      `Reference, same source at ${fmt.size(100 * MiB)}: ${res.reference.map((r) => `${r.name} ${fmt.rate(r.mbps)} MiB/s`).join('; ')}.`,
  );
  sections.push(`## 2. get throughput, local disk\n\n${rateTable(res.get)}`);
  sections.push(`## 3. Memory, one operation per fresh process (MiB)\n\n${memoryTable(res.memory)}`);
  sections.push(
    `## 4. Small voice notes, local disk (${res.note.count} × ${fmt.size(res.note.bytes)})\n\n${notesTable(res.notes)}\n\n` +
      `### Where one small put's time goes (sequential, ${res.breakdown.count} puts)\n\n${breakdownTable(res.breakdown)}\n\n` +
      `Same note: ${fmt.ms(res.breakdown.coreMs)} ms per put on the memory backend (the core alone); ` +
      `${fmt.ms(res.breakdown.rawMs)} ms per minimal durable write (${DURABLE}).`,
  );
  if (res.s3?.put) {
    sections.push(
      `## 5. S3: ${res.s3.label}\n\n### put\n\n${rateTable(res.s3.put)}\n\n### get\n\n${rateTable(res.s3.get)}\n\n` +
        `### Memory (MiB${res.s3.memory[0].samples > 1 ? `; each point is the median of ${res.s3.memory[0].samples} processes` : ''})\n\n${memoryTable(res.s3.memory)}`,
    );
  } else {
    sections.push(`## 5. S3\n\nNot measured in this run: ${res.s3.skipped}.`);
  }

  const machine = table(
    ['', ''],
    [
      ['CPU', `${m.cpu}`],
      ['cores', m.cores],
      ['memory', `${m.memGiB.toFixed(1)} GiB`],
      ['Node', m.node],
      ['OS', m.platform],
      ['date', m.date],
      ['audio-store', `${m.pkg}: dist/ built from the working tree by \`npm run bench\`, copied once at start`],
      ['command', `\`${m.command}\``],
      ['run time', `${res.seconds.toFixed(0)} s`],
      ['load average (1 min) at start / end', `${m.loadStart.toFixed(2)} / ${m.loadEnd.toFixed(2)} (other work on the machine competes for the ${m.cores} cores)`],
    ],
    { alignLeft: true },
  );

  const markdown = [
    `# Benchmarks`,
    `Generated by \`npm run bench\` (\`bench/run.mjs\`): rerun it rather than edit this file. ` +
      `Every number is measured next to a baseline in the same run on the same machine. Ratios are audio-store ÷ baseline ` +
      `(1× = as fast as the baseline, below 1× = slower). Speed is measured here, never asserted in tests.`,
    `## Summary\n\n${summary(res)}`,
    `## Machine\n\n${machine}`,
    `## Method\n\n${method(res)}`,
    ...sections,
    `## Interpretation\n\n${interpretation(res)}`,
    `## Running it\n\n` +
      '```sh\n' +
      'npm run bench                             # build, run all but S3, rewrite this file\n' +
      'AUDIO_STORE_BENCH_S3=ceph npm run bench   # also S3, on a private throwaway Ceph RGW (port 17580, /tmp/bench-s3)\n' +
      'npm run build && node --expose-gc bench/run.mjs --quick --no-docs   # smoke run, print only\n' +
      '```\n\n' +
      'Any other S3-compatible endpoint: set `AUDIO_STORE_BENCH_S3_ENDPOINT`, `AUDIO_STORE_BENCH_S3_ACCESS_KEY_ID`, ' +
      '`AUDIO_STORE_BENCH_S3_SECRET_ACCESS_KEY`, and optionally `AUDIO_STORE_BENCH_S3_REGION` (default `us-east-1`) and ' +
      '`AUDIO_STORE_BENCH_S3_BUCKET` (default: a scratch bucket, created and removed by the run; in a given bucket only `bench/` and `raw/` keys are written and removed). ' +
      'The Ceph server\'s ports and directory can be moved with `AUDIO_STORE_BENCH_S3_PORT`, `_MON_PORT` and `_DIR`.',
  ].join('\n\n');

  const consoleText = [`audio-store benchmarks: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}`, summary(res), ...sections].join('\n\n');
  return { markdown: `${markdown}\n`, console: consoleText };
}
