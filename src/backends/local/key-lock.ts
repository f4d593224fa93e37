/** Runs `fn` after every earlier call for the same key has settled. */
export type KeyLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/**
 * Serializes the short commit step of writes and deletes per key, so that within one process an
 * object's file and its sidecar always come from the same writer. Streaming is not serialized.
 */
export function createKeyLock(): KeyLock {
  const tails = new Map<string, Promise<void>>();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
