/**
 * A per-request batcher (DataLoader's core idea, without the dependency): every `load(key)` made
 * while resolvers run in the same turn is answered by one call of `fetchMany(keys)`. Results are
 * cached for the request; a failed batch rejects every load in it.
 */
export interface Batcher<K, V> {
  load(key: K): Promise<V | null>;
}

export function createBatcher<K, V>(fetchMany: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>): Batcher<K, V> {
  const cache = new Map<K, Promise<V | null>>();
  let pending: { key: K; resolve: (value: V | null) => void; reject: (error: unknown) => void }[] = [];

  const flush = () => {
    const batch = pending;
    pending = [];
    fetchMany(batch.map((item) => item.key)).then(
      (found) => batch.forEach((item) => item.resolve(found.get(item.key) ?? null)),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  };

  return {
    load(key) {
      const cached = cache.get(key);
      if (cached) return cached;
      const promise = new Promise<V | null>((resolve, reject) => {
        // A macrotask, not a microtask: lets every resolver of the current execution frontier
        // (their promise chains settle as microtasks) enqueue its key before the batch goes out.
        if (pending.length === 0) setTimeout(flush, 0);
        pending.push({ key, resolve, reject });
      });
      cache.set(key, promise);
      return promise;
    },
  };
}
