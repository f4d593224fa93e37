// Where the time of one small local put goes. The local backend takes any `node:fs`-compatible
// module through its public `local.fs` option; this hands it `node:fs` with every call timed, so
// the breakdown needs no change to the library and no strace.
import fs from 'node:fs';
import path from 'node:path';
import { loadAudioStore } from './package.mjs';
import { makeWav } from './lib.mjs';

const { createAudioStore } = await loadAudioStore();

const HANDLE_CALLS = ['stat', 'write', 'datasync', 'close'];
const FS_CALLS = ['stat', 'readFile', 'readdir', 'mkdir', 'rename', 'unlink', 'rmdir'];

function timedFs(totals) {
  const add = (name, ms) => {
    const e = totals.get(name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    totals.set(name, e);
  };
  const timed = (name, fn, self) => async (...args) => {
    const t0 = performance.now();
    try {
      return await fn.apply(self, args);
    } finally {
      add(name, performance.now() - t0);
    }
  };
  const wrapHandle = (handle) =>
    new Proxy(handle, {
      get(target, prop) {
        const value = target[prop];
        if (typeof value !== 'function') return value;
        return HANDLE_CALLS.includes(prop) ? timed(`handle.${prop}`, value, target) : value.bind(target);
      },
    });
  const promises = Object.fromEntries(FS_CALLS.map((k) => [k, timed(k, fs.promises[k], fs.promises)]));
  promises.open = async (p, flags) => {
    const t0 = performance.now();
    const handle = await fs.promises.open(p, flags);
    add(`open '${flags}'`, performance.now() - t0);
    return wrapHandle(handle);
  };
  return { promises };
}

async function perPut(count, fn) {
  for (let i = 0; i < 20; i++) await fn(`warm/${i}`);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await fn(`n/${i}`);
  return (performance.now() - t0) / count;
}

/** Sequential puts of one `bytes` note: the fs calls per put, and the totals around them. */
export async function putBreakdown(dir, bytes, count) {
  const note = makeWav(bytes);
  const totals = new Map();
  const timedStore = createAudioStore({ backend: 'local', local: { dir: path.join(dir, 'timed'), fs: timedFs(totals) }, logger: false, startupCheck: false });
  const memoryStore = createAudioStore({ backend: 'memory', logger: false, startupCheck: false });
  const rawDir = path.join(dir, 'raw');
  await fs.promises.mkdir(path.join(rawDir, 'warm'), { recursive: true });
  await fs.promises.mkdir(path.join(rawDir, 'n'), { recursive: true });

  const coreMs = await perPut(count, (k) => memoryStore.put(note, { key: `${k}.wav`, contentType: 'audio/wav' }));
  const rawMs = await perPut(count, async (k) => {
    const tmp = path.join(rawDir, `${k}.tmp`);
    const handle = await fs.promises.open(tmp, 'wx');
    try {
      await handle.write(note, 0, note.length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, path.join(rawDir, `${k}.wav`));
  });
  // Recorded only for the measured puts, not the warm-up.
  const storeMs = await perPut(count, async (k) => {
    if (k === 'n/0') totals.clear();
    await timedStore.put(note, { key: `${k}.wav`, contentType: 'audio/wav' });
  });
  const calls = [...totals]
    .map(([call, e]) => ({ call, callsPerPut: e.calls / count, msPerPut: e.ms / count }))
    .sort((a, b) => b.msPerPut - a.msPerPut);
  await fs.promises.rm(dir, { recursive: true, force: true });
  return { count, bytes, storeMs, coreMs, rawMs, fsMs: calls.reduce((s, c) => s + c.msPerPut, 0), calls };
}
