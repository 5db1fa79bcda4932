/**
 * @module
 * Random identifiers, hashing and constant-time comparison.
 */

const B32 = "abcdefghijklmnopqrstuvwxyz234567";

/** Random lowercase base32 string of `n` characters (5 bits each). */
export function randomBase32(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let s = "";
  for (const b of bytes) s += B32[b & 31];
  return s;
}

/** Random lowercase hex string of `bytes` random bytes. */
export function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A new id with a type prefix, e.g. `newId("w")` -> `w_k3j...` (20 base32 chars, 100 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase32(20)}`;
}

/**
 * A fresh id for one failed request, written in its log line and sent with its answer (`X-Request-Id`), so that a
 * report quoting it finds the line (16 base32 characters, 80 bits).
 */
export function newRequestId(): string {
  return randomBase32(16);
}

/** Header carrying the request id of a failed request's answer (the same id is in its log line). */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** Random url-safe token with `bytes` bytes of entropy (base64url, no padding). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** SHA-256 of a string or bytes, as lowercase hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  const n = Math.max(ea.length, eb.length);
  for (let i = 0; i < n; i++) diff |= (ea[i % (ea.length || 1)] ?? 0) ^ (eb[i % (eb.length || 1)] ?? 0);
  return diff === 0;
}
