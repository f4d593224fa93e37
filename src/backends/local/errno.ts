/** The `code` of a Node-style system error (`ENOENT`, `EACCES`...), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when a path is simply not there. `ENOTDIR` counts: `a/b` cannot exist when `a` is a file.
 * `EISDIR` counts for reads: Windows refuses to open a directory, and a directory is never an object.
 */
export function isAbsent(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
