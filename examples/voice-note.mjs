// Stores a voice note, reads it back, and deletes it: on ./uploads with no configuration, or on
// S3 when AWS_S3_BUCKET and friends are set. Run with `npm run example`.
import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createAudioStore } from 'audio-store';

const file = new URL('./voice-note.ogg', import.meta.url);
const store = createAudioStore();

const saved = await store.put(createReadStream(file), {
  contentType: 'audio/ogg; codecs=opus',
  metadata: { userId: 'u-42', conversationId: 'c-7' },
});
console.log(`stored   ${saved.key} (${saved.size} bytes, ${saved.contentType}) on ${saved.storageType}`);
console.log(`url      ${saved.url}`);

const got = await store.get(saved.key);
const hash = createHash('sha256');
for await (const chunk of got.body) hash.update(chunk);
const same = hash.digest('hex') === saved.checksum.sha256 && got.size === statSync(file).size;
console.log(`read     ${got.size} bytes, metadata ${JSON.stringify(got.metadata)}, ${same ? 'identical' : 'DIFFERENT'}`);

const partial = await store.get(saved.key, { range: { start: 0, end: 3 } });
let magic = '';
for await (const chunk of partial.body) magic += chunk.toString('latin1');
console.log(`range    bytes ${partial.range.start}-${partial.range.end} of ${partial.totalSize}: "${magic}"`);

const { connection, warnings } = await store.status();
console.log(`status   connection ${connection.ok ? 'ok' : 'FAILED'} in ${connection.latencyMs} ms${warnings.length ? `; ${warnings.join('; ')}` : ''}`);

await store.delete(saved.key);
console.log(`deleted  ${saved.key}: exists now ${await store.exists(saved.key)}`);
if (!same) process.exitCode = 1;
