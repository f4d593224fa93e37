import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Volume, createFsFromVolume } from 'memfs';
import { afterAll, expect } from 'vitest';
import { createAudioStore } from '../src/index.js';
import { runBackendConformance } from '../src/testing/index.js';
import { createLocalBackend } from '../src/backends/local/index.js';

// memfs: fast, and proves the injected-fs path.
const vol = new Volume();
runBackendConformance('local (memfs)', () =>
  createLocalBackend({ dir: '/uploads', fs: createFsFromVolume(vol), publicPath: '/audio' }),
);

// The real disk, configured the way an app would: through the environment.
const dir = mkdtempSync(path.join(tmpdir(), 'audio-store-conformance-'));
runBackendConformance(
  'local (real disk, from the environment)',
  ({ maxBytes }) =>
    createAudioStore({
      env: { AUDIO_STORE_DIR: dir, AUDIO_STORE_MAX_BYTES: String(maxBytes), AUDIO_STORE_BASE_URL: 'http://localhost:3000' },
      logger: false,
    }),
  { cleanup: () => undefined },
);

afterAll(() => {
  // Nothing the suite wrote is left on disk, not even an empty folder: only the library's own
  // bookkeeping folder, emptied.
  const left = readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : ''))
    .filter((entry) => !/^\.audio-store\/(local\/(tmp|meta(\/[0-9a-f]{2})?)\/)?$|^\.audio-store\/local\/$/.test(entry));
  expect(left).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
  // memfs keeps a phantom entry in a folder after a rename over an existing file, so its empty
  // folders can't be pruned; only files are checked there.
  const memfsFiles = Object.entries(vol.toJSON('/uploads')).filter(([, content]) => content !== null);
  expect(memfsFiles).toEqual([]);
});
