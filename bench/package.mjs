// The built audio-store package, as the benchmarks load it.
//
// Other work on the same checkout may rebuild dist/ (tsup empties it first) in the middle of a
// run. So the runner copies dist/ once, right after its own build, into bench/.dist-<pid>/ and
// names the copy in AUDIO_STORE_BENCH_DIST; every module and child process then loads that copy,
// and the whole run measures one build. The copy lives inside the repository so that the
// package's dependencies still resolve from its node_modules. Without the variable this is
// simply the package's self-reference, `audio-store`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, '..', 'dist');

/** Copies dist/ for this run; returns a function that removes the copy. Call before loading. */
export function snapshotDist() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    throw new Error(`${DIST}/index.js is missing: run \`npm run build\` first (or another build emptied dist/ just now; run again)`);
  }
  const copy = path.join(HERE, `.dist-${process.pid}`);
  fs.cpSync(DIST, copy, { recursive: true, filter: (src) => !src.endsWith('.map') });
  process.env.AUDIO_STORE_BENCH_DIST = path.join(copy, 'index.js');
  return () => fs.rmSync(copy, { recursive: true, force: true });
}

/** The package's exports: from the run's copy when there is one. */
export async function loadAudioStore() {
  const copy = process.env.AUDIO_STORE_BENCH_DIST;
  return import(copy ? pathToFileURL(copy).href : 'audio-store');
}
