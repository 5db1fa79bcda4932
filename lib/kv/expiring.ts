/**
 * @module
 * Values that expire. Deno KV's `expireIn` only sets the earliest deletion time (expired keys stay readable for
 * up to a minute), so every expiring value also carries `expiresAt`, checked on every read against an injected clock.
 */

/** A value with an expiry inside it. */
export type Expiring<T> = T & { expiresAt: number };

/** Sets `value` with an expiry `ttlMs` from `now`, both inside the value and as `expireIn`. */
export function setExpiring<T extends object>(
  op: Deno.AtomicOperation,
  key: Deno.KvKey,
  value: T,
  ttlMs: number,
  now = Date.now(),
): Deno.AtomicOperation {
  return op.set(key, { ...value, expiresAt: now + ttlMs }, { expireIn: ttlMs });
}

/** Reads an expiring value; an expired one reads as absent (versionstamp kept for atomic checks). */
export async function getLive<T>(
  kv: Deno.Kv,
  key: Deno.KvKey,
  now = Date.now(),
): Promise<{ value: Expiring<T> | null; versionstamp: string | null }> {
  const entry = await kv.get<Expiring<T>>(key);
  return { value: isLive(entry.value, now) ? entry.value : null, versionstamp: entry.versionstamp };
}

/** True when an expiring value exists and has not expired at `now`. */
export function isLive<T>(value: Expiring<T> | null | undefined, now = Date.now()): value is Expiring<T> {
  return value != null && typeof value.expiresAt === "number" && value.expiresAt > now;
}
