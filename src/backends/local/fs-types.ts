export type { LocalDirEntry, LocalFileHandle, LocalFs as LocalFileSystem, LocalStats } from '../../types.js';
