/**
 * @module
 * Deleting many keys in bounded commits, for the stores' deletion hooks: each commit holds at most
 * {@link PURGE_BATCH} deletes (Deno KV allows 1000 mutations), and running a deletion again after a failure deletes
 * only what is left.
 */

/** Keys deleted per commit. */
export const PURGE_BATCH = 500;

/** Deletes `keys` in commits of at most {@link PURGE_BATCH}. */
export async function deleteKeys(kv: Deno.Kv, keys: readonly Deno.KvKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += PURGE_BATCH) {
    const op = kv.atomic();
    for (const k of keys.slice(i, i + PURGE_BATCH)) op.delete(k);
    await op.commit();
  }
}

/**
 * Deletes every key under `prefix`, at most {@link PURGE_BATCH} keys per commit, each together with its companion
 * key (an index entry and what it points at go in the same commit). Returns how many entries under `prefix` it
 * deleted.
 */
export async function deletePrefix(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  companionKey?: (entry: Deno.KvEntry<unknown>) => Deno.KvKey | null,
): Promise<number> {
  let n = 0;
  for (let round = 0; round < 1_000_000; round++) {
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix }, { limit: PURGE_BATCH / 2 })) {
      keys.push(e.key);
      n++;
      const companion = companionKey?.(e);
      if (companion) keys.push(companion);
    }
    if (keys.length === 0) return n;
    await deleteKeys(kv, keys);
  }
  return n;
}
