/**
 * @module
 * Every KV key prefix the app uses, assembled from the parts that own them (each store registers its own), and the
 * start-up check that no two parts claim the same type (lib/kv/keys.ts `checkKeyPrefixes`, called by `createApp`).
 * docs/kv-schema.md documents the same set; tests/platform/key_registry_test.ts checks that they agree.
 */
import { checkKeyPrefixes, type KeyPrefix } from "../kv/keys.ts";
import { SECRET_PREFIXES } from "../keys.ts";
import { BLOB_PREFIXES } from "../kv/blobs.ts";
import { RATE_PREFIXES } from "../kv/rate_limit.ts";
import { ATPROTO_PREFIXES } from "../atproto/stores.ts";
import { TOKEN_STORE } from "../auth/token_store.ts";
import { OAUTH_STORE } from "../oauth/store.ts";
import { SESSION_STORE } from "../session/store.ts";
import { WIKI_STORE } from "../wiki/wiki_purge.ts";
import { PLATFORM_STORE } from "./store.ts";
import { REMOTE_EMBED_STORE } from "../wiki/meaning/remote_store.ts";

/** Every registered key prefix, by owner. */
export const KEY_PREFIXES: readonly KeyPrefix[] = [
  ...SECRET_PREFIXES,
  ...WIKI_STORE.prefixes,
  ...REMOTE_EMBED_STORE.prefixes,
  ...BLOB_PREFIXES,
  ...TOKEN_STORE.prefixes,
  ...OAUTH_STORE.prefixes,
  ...SESSION_STORE.prefixes,
  ...PLATFORM_STORE.prefixes,
  ...ATPROTO_PREFIXES,
  ...RATE_PREFIXES,
];

/** Throws when two parts registered the same key type (called once at start-up, by `createApp`). */
export function checkKeyRegistry(prefixes: readonly KeyPrefix[] = KEY_PREFIXES): void {
  checkKeyPrefixes(prefixes);
}
