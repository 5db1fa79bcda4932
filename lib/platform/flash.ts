/**
 * @module
 * One-time messages that survive a Post/Redirect/Get: the handler stores a value and redirects to a page with
 * `?flash={id}`; that page takes it (single use). Used to show a new token exactly once.
 *
 * The value is encrypted (AES-GCM) with a key derived from the browser's session id and the flash id, so KV never
 * holds a token in the clear and only the browser that created the flash can read it. It expires after
 * {@link FLASH_TTL_MS}.
 */
import { base64url, randomToken } from "../ids.ts";
import { isLive } from "../kv/expiring.ts";
import { consumeFlashRecord, putFlashRecord, readFlashRecord } from "./store.ts";

/** How long a flash waits to be read. */
export const FLASH_TTL_MS = 5 * 60 * 1000;

interface FlashRecord {
  iv: string;
  data: Uint8Array;
  expiresAt: number;
}

/** Stores `value` for the browser holding `sessionId`; returns the flash id for the redirect URL. */
export async function putFlash(kv: Deno.Kv, sessionId: string, value: unknown, now = Date.now()): Promise<string> {
  const id = randomToken(18);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await flashKey(sessionId, id), plain),
  );
  const record: FlashRecord = { iv: base64url(iv), data, expiresAt: now + FLASH_TTL_MS };
  await putFlashRecord(kv, id, record, FLASH_TTL_MS);
  return id;
}

/**
 * Takes the flash `id` for the browser holding `sessionId`: its value, once; null when unknown, expired, already
 * taken, or created by another session (which leaves it in place for its owner).
 */
export async function takeFlash<T>(kv: Deno.Kv, sessionId: string, id: string, now = Date.now()): Promise<T | null> {
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(id)) return null;
  const entry = await readFlashRecord<FlashRecord>(kv, id);
  if (!isLive(entry.value, now)) return null;
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64url(entry.value.iv) },
      await flashKey(sessionId, id),
      new Uint8Array(entry.value.data),
    );
  } catch {
    return null;
  }
  if (!(await consumeFlashRecord(kv, entry))) return null;
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

async function flashKey(sessionId: string, flashId: string): Promise<CryptoKey> {
  const material = new TextEncoder().encode(`robot.wtf flash\n${sessionId}\n${flashId}`);
  const digest = await crypto.subtle.digest("SHA-256", material);
  return await crypto.subtle.importKey("raw", digest, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}
