/**
 * Maps an async iterable through `fn` with at most `limit` calls in flight, yielding results in
 * input order. Used to fill in listing entries without one round trip at a time, nor unbounded.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  try {
    for await (const item of source) {
      const pending = fn(item);
      // Marks the rejection handled now; it is still thrown when this result's turn comes.
      pending.catch(() => undefined);
      window.push(pending);
      if (window.length >= limit) yield await (window.shift() as Promise<R>);
    }
    while (window.length > 0) yield await (window.shift() as Promise<R>);
  } finally {
    // Settle abandoned work so that no rejection goes unhandled when the consumer stops early.
    await Promise.allSettled(window);
  }
}
