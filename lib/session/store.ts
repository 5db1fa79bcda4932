/**
 * @module
 * The session store: every KV record of browser sessions, hand-off codes and login transfers (lib/session/
 * sessions.ts), their keys and registered prefixes, and the part's deletion hooks. Sessions and codes are stored
 * under the HMAC of their id; `user_session` indexes a person's sessions. docs/sessions.md describes the values.
 */
import { type KeyPrefix, parseKeyPrefixes, type StorePart } from "../kv/keys.ts";
import { deleteKeys } from "../kv/purge.ts";

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
