/**
 * audio-store: durable storage for voice messages. S3 or any S3-compatible store in production,
 * local disk with zero configuration in development.
 *
 * @packageDocumentation
 */
export { createAudioStore } from './create.js';
export { AudioStoreError, isAudioStoreError } from './errors.js';
export type { AudioStoreErrorCode, AudioStoreErrorOptions } from './errors.js';
export { normalizeKey } from './core/key.js';
export { ENV_VARS } from './config/variables.js';
export type {
  AudioBody,
  AudioInfo,
  AudioMetadata,
  AudioObject,
  AudioStore,
  AudioStoreLogger,
  AudioStoreOptions,
  ByteRange,
  EnvPresence,
  GetOptions,
  LocalDirEntry,
  LocalFileHandle,
  LocalFs,
  LocalStats,
  LocalOptions,
  PutOptions,
  ReportedError,
  S3Options,
  SelfTestResult,
  SelfTestStep,
  StorageStatus,
  StoredAudio,
  UrlOptions,
} from './types.js';
export type {
  BackendDescription,
  BackendGetResult,
  BackendListEntry,
  BackendObjectInfo,
  BackendPutInput,
  BackendRange,
  StorageBackend,
} from './backend.js';
