/**
 * @module
 * Every KV key prefix the app uses, assembled from the parts that own them (each store registers its own), and the
 * start-up check that no two parts claim the same type (lib/kv/keys.ts `checkKeyPrefixes`, called by `createApp`).
 * docs/kv-schema.md documents the same set; tests/platform/key_registry_test.ts checks that they agree.
 *
 * {@link BACKUP_RULES} says, for every registered type, whether `deno task backup` keeps its records (and when a kept
 * record expires) or skips them; a type registered without a rule fails the registry test and `checkBackupRules`.
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
import { HEARTBEAT_PREFIXES } from "./heartbeat.ts";
import { RESTORE_PREFIXES } from "../kv/backup/restore.ts";
import type { BackupRule } from "../kv/backup/backup.ts";
import { UPLOAD_STORE } from "../archive/upload_store.ts";
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
  ...UPLOAD_STORE.prefixes,
  ...ATPROTO_PREFIXES,
  ...RATE_PREFIXES,
  ...HEARTBEAT_PREFIXES,
  ...RESTORE_PREFIXES,
];

/** The time a value's `expiresAt` names (lib/kv/expiring.ts), or null. */
function valueExpiresAt(value: unknown): number | null {
  const at = (value as { expiresAt?: unknown } | null)?.expiresAt;
  return typeof at === "number" ? at : null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Kept, never expires. */
const KEEP: BackupRule = { keep: true, expiresAt: () => null };
/** Kept, expires at its value's `expiresAt` (records written with setExpiring or a TTL inside the value). */
const KEEP_UNTIL_EXPIRES_AT: BackupRule = { keep: true, expiresAt: valueExpiresAt };
const skip = (why: string): BackupRule => ({ keep: false, why });

/**
 * Backup decision per registered type. Kept: everything a person made or was granted (wikis, pages, history,
 * attachments, users, memberships, tokens, OAuth clients and grants with their tokens, sessions, the key registry's
 * secrets). Skipped: rate counters, one-time codes and single-use requests (they expire within minutes and a
 * restored one could be redeemed twice), and runtime state of the running processes.
 */
export const BACKUP_RULES: Readonly<Record<string, BackupRule>> = {
  secret: KEEP,
  wiki: KEEP,
  wiki_member: KEEP,
  wiki_state: KEEP,
  wiki_purge: KEEP, // an interrupted deletion, finished by the maintenance timer after the restore
  page: KEEP,
  page_hist: KEEP,
  rev: KEEP,
  change: KEEP,
  link: KEEP,
  att: KEEP,
  page_vec: KEEP, // derived (rebuilt by `deno task vectors:rebuild`), kept so a restored service searches at once
  att_hist: KEEP, // attachment history, needed to rebuild the wiki's git history with the same commit ids
  // A live slug never expires; a deleted wiki's tombstone is dropped a day after its cooling-off (wikis.ts).
  wiki_slug: {
    keep: true,
    expiresAt: (v) => {
      const at = (v as { reclaimableAt?: unknown } | null)?.reclaimableAt;
      return typeof at === "number" ? at + DAY_MS : null;
    },
  },
  user_wiki: KEEP,
  user_wiki_count: KEEP,
  blob: KEEP,
  // Kept a day past `expiresAt` so the sweeper still finds the unpublished chunks it names (blobs.ts).
  blob_staging: { keep: true, expiresAt: (v) => (valueExpiresAt(v) ?? Date.now()) + DAY_MS },
  wiki_token_hash: KEEP,
  wiki_token: KEEP,
  oauth_client: KEEP_UNTIL_EXPIRES_AT,
  oauth_consent: skip("a single-use authorization request (10 minutes)"),
  oauth_code: skip("a one-time authorization code, or the replay memory of a used one"),
  oauth_grant: KEEP_UNTIL_EXPIRES_AT,
  oauth_grant_of: KEEP_UNTIL_EXPIRES_AT,
  oauth_grant_used: KEEP_UNTIL_EXPIRES_AT, // older values without `expiresAt` are restored without expiry
  oauth_refresh: KEEP_UNTIL_EXPIRES_AT,
  oauth_access: KEEP_UNTIL_EXPIRES_AT,
  oauth_cimd: KEEP_UNTIL_EXPIRES_AT,
  oauth_user_grant: KEEP_UNTIL_EXPIRES_AT,
  session: KEEP_UNTIL_EXPIRES_AT,
  user_session: KEEP_UNTIL_EXPIRES_AT,
  handoff: skip("a one-time hand-off code (60 s)"),
  login_transfer: skip("a one-time login transfer code (60 s)"),
  user: KEEP,
  app_flash: skip("a one-time message, deleted when read (5 minutes)"),
  healthz: skip("never written"),
  wiki_member_handle: KEEP,
  atproto_state: skip("a pending sign-in, single use (15 minutes)"),
  atproto_session: KEEP_UNTIL_EXPIRES_AT,
  rate: skip("a rate-limit counter"),
  app_heartbeat: skip("runtime state of a running process"),
  restore_marker: skip("runtime state of a restore"),
  import_upload: skip("an uploaded archive waiting for its import (1 hour)"),
  // The remote embedder (lib/wiki/meaning/remote_store.ts): its vectors are `page_vec` records (kept above), so a
  // restored service need not re-embed every page remotely.
  remote_mark: KEEP, // says which pages have current remote vectors; restored with them, so no pass re-embeds them
  remote_job: skip(
    "the re-embed job's progress and lease: a restored service starts a new pass, marks skip done wikis",
  ),
};

/** The backup rule of a record type (undefined for a type nothing registers). */
export function backupRuleOf(type: string): BackupRule | undefined {
  return Object.hasOwn(BACKUP_RULES, type) ? BACKUP_RULES[type] : undefined;
}

/** Throws when two parts registered the same key type (called once at start-up, by `createApp`). */
export function checkKeyRegistry(prefixes: readonly KeyPrefix[] = KEY_PREFIXES): void {
  checkKeyPrefixes(prefixes);
}

/**
 * Throws when a registered type has no backup rule, or a rule names a type nothing registers (checked by the
 * registry test and by `deno task backup` before it reads anything).
 */
export function checkBackupRules(
  prefixes: readonly KeyPrefix[] = KEY_PREFIXES,
  rules: Readonly<Record<string, BackupRule>> = BACKUP_RULES,
): void {
  const registered = new Set(prefixes.map((p) => p.type));
  const undecided = prefixes.filter((p) => !Object.hasOwn(rules, p.type)).map((p) => p.type);
  if (undecided.length > 0) {
    throw new Error(`KV key prefix "${undecided[0]}" has no backup rule (BACKUP_RULES, lib/platform/key_registry.ts)`);
  }
  const stale = Object.keys(rules).filter((t) => !registered.has(t));
  if (stale.length > 0) throw new Error(`backup rule for "${stale[0]}", which no part registers`);
}
