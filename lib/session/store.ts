/**
 * @module
 * The session store: every KV record of browser sessions, hand-off codes and login transfers (lib/session/
 * sessions.ts), their keys and registered prefixes, and the part's deletion hooks. Sessions and codes are stored
 * under the HMAC of their id; `user_session` indexes a person's sessions. docs/sessions.md describes the values.
 */
import { type KeyPrefix, parseKeyPrefixes, type StorePart } from "../kv/keys.ts";
import { deleteKeys } from "../kv/purge.ts";
import type { SessionRecord } from "./sessions.ts";

/** KV keys of the session store. */
export const SessionKeys = {
  /** A session by the HMAC of its id. */
  session: (hash: string) => ["session", hash] as const,
  /** Index of a user's sessions, for logout everywhere and account deletion. */
  userSession: (did: string, hash: string) => ["user_session", did, hash] as const,
  /** Prefix of a user's sessions. */
  userSessions: (did: string) => ["user_session", did] as const,
  /** A hand-off code by its HMAC. */
  handoff: (hash: string) => ["handoff", hash] as const,
  /** A login transfer code by its HMAC (loopback callback origin -> public origin). */
  transfer: (hash: string) => ["login_transfer", hash] as const,
};

/** The session store's prefixes. */
export const SESSION_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  user   session         a browser session, by the HMAC of its id (holds the DID)
  user   user_session    index of a person's sessions
  global handoff         a one-time hand-off code for a child session (60 s)
  global login_transfer  a one-time code carrying a loopback sign-in (60 s)
`);

/** The first session found under one of `hashes` (a session id's HMACs, current secret first), or null. */
export async function findSession(
  kv: Deno.Kv,
  hashes: readonly string[],
): Promise<{ hash: string; value: SessionRecord } | null> {
  const entries = await kv.getMany<SessionRecord[]>(hashes.map((h) => SessionKeys.session(h)));
  const found = entries.findIndex((e) => e.value !== null);
  return found < 0 ? null : { hash: hashes[found], value: entries[found].value! };
}

/** The session stored under `hash`, or null. */
export async function readSession(kv: Deno.Kv, hash: string): Promise<SessionRecord | null> {
  return (await kv.get<SessionRecord>(SessionKeys.session(hash))).value;
}

/** Stores a new session and its index entry; false when `hash` is taken (never, for random ids). */
export async function insertSession(kv: Deno.Kv, hash: string, record: SessionRecord): Promise<boolean> {
  const ttl = Math.max(1, record.expiresAt - record.createdAt);
  const res = await kv.atomic()
    .check({ key: SessionKeys.session(hash), versionstamp: null })
    .set(SessionKeys.session(hash), record, { expireIn: ttl })
    .set(SessionKeys.userSession(record.did, hash), { expiresAt: record.expiresAt }, { expireIn: ttl })
    .commit();
  return res.ok;
}

/** Deletes the session stored under `hash` (of the person `did`) and its index entry. */
export async function deleteSession(kv: Deno.Kv, hash: string, did: string): Promise<void> {
  await kv.atomic().delete(SessionKeys.session(hash)).delete(SessionKeys.userSession(did, hash)).commit();
}

/** A one-time code's kind: a hand-off code, or a login transfer code. */
export type CodeKind = "handoff" | "transfer";

/** Stores a one-time code's record under its HMAC for `ttlMs`. */
export async function putCode(
  kv: Deno.Kv,
  kind: CodeKind,
  hash: string,
  record: unknown,
  ttlMs: number,
): Promise<void> {
  await kv.set(SessionKeys[kind](hash), record, { expireIn: ttlMs });
}

/**
 * Consumes the one-time code stored under one of `hashes`: deletes it under a versionstamp check, so two concurrent
 * redemptions cannot both succeed. Its record, or null when absent or already used.
 */
export async function consumeCode<T>(kv: Deno.Kv, kind: CodeKind, hashes: readonly string[]): Promise<T | null> {
  for (const h of hashes) {
    const entry = await kv.get<T>(SessionKeys[kind](h));
    if (entry.value === null) continue;
    const consumed = await kv.atomic().check(entry).delete(entry.key).commit();
    return consumed.ok ? entry.value : null;
  }
  return null;
}

/** Browser sessions belong to people, not to wikis: nothing to forget of a wiki. */
export function forgetWiki(_kv: Deno.Kv, _wikiId: string): Promise<number> {
  return Promise.resolve(0);
}

/** Deletes every session of a person (each with its index entry). Returns how many. */
export async function forgetUser(kv: Deno.Kv, did: string): Promise<number> {
  let n = 0;
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: SessionKeys.userSessions(did) })) {
    keys.push(e.key, SessionKeys.session(e.key[2] as string));
    n++;
  }
  await deleteKeys(kv, keys);
  return n;
}

/** The session store as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const SESSION_STORE: StorePart = {
  part: "lib/session/store.ts",
  prefixes: SESSION_PREFIXES,
  forgetWiki,
  forgetUser,
};
