/**
 * @module
 * The platform store: the dashboard's own KV records (people who signed in, one-time flash messages, the handles
 * collaborators were added by), their keys and registered prefixes, and the part's deletion hooks. Values are
 * described in docs/kv-schema.md.
 */
import { type KeyPrefix, parseKeyPrefixes, type StorePart, type WikiId } from "../kv/keys.ts";
import { deleteKeys, deletePrefix } from "../kv/purge.ts";
import { wikiIdsOfUser } from "../wiki/keys.ts";

/** KV keys of the platform store. */
export const PlatformKeys = {
  /** Never written: `GET /healthz` reads it to prove the store answers. */
  healthProbe: () => ["healthz"] as const,
  /** A user by DID (lib/platform/users.ts). */
  user: (did: string) => ["user", did] as const,
  /** A pending one-time message (encrypted; expiring; lib/platform/flash.ts). */
  flash: (id: string) => ["app_flash", id] as const,
  /** The handle a collaborator was added by (for display): `{ handle }`. Wiki-scoped (lib/platform/collaborators.ts). */
  memberHandle: (wikiId: string, did: string) => ["wiki_member_handle", wikiId, did] as const,
  /** Prefix of a wiki's stored handles. */
  memberHandles: (wikiId: string) => ["wiki_member_handle", wikiId] as const,
} as const;

/** The platform store's prefixes. */
export const PLATFORM_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  user   user                a person who signed in: DID, handle, display name
  global app_flash           a one-time encrypted message (5 minutes)
  global healthz             never written: read by /healthz to prove the store answers
  wiki   wiki_member_handle  the handle a collaborator was added by
`);

/** A user record. */
export interface UserRecord {
  did: string;
  handle: string;
  displayName: string | null;
  createdAt: number;
  lastLoginAt: number;
}

/** Reads a user; null when they never signed in (or deleted their account). */
export async function getUser(kv: Deno.Kv, did: string): Promise<UserRecord | null> {
  return (await kv.get<UserRecord>(PlatformKeys.user(did))).value;
}

/** Creates the user on first login or refreshes handle and display name; `created` says which. */
export async function upsertUserOnLogin(
  kv: Deno.Kv,
  input: { did: string; handle: string; displayName: string | null },
  now = Date.now(),
): Promise<{ user: UserRecord; created: boolean }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<UserRecord>(PlatformKeys.user(input.did));
    const user: UserRecord = entry.value
      ? {
        ...entry.value,
        handle: input.handle,
        displayName: input.displayName ?? entry.value.displayName,
        lastLoginAt: now,
      }
      : { ...input, createdAt: now, lastLoginAt: now };
    const res = await kv.atomic().check(entry).set(PlatformKeys.user(input.did), user).commit();
    if (res.ok) return { user, created: entry.value === null };
  }
  throw new Error("could not save the user record (concurrent updates)");
}

/** Stores a one-time message's record under `id` for `ttlMs`. */
export async function putFlashRecord(kv: Deno.Kv, id: string, record: unknown, ttlMs: number): Promise<void> {
  await kv.set(PlatformKeys.flash(id), record, { expireIn: ttlMs });
}

/** The one-time message's entry under `id` (read before it is taken with {@link consumeFlashRecord}). */
export async function readFlashRecord<T>(kv: Deno.Kv, id: string): Promise<Deno.KvEntryMaybe<T>> {
  return await kv.get<T>(PlatformKeys.flash(id));
}

/** Deletes a flash entry read by {@link readFlashRecord} if unchanged since; false when someone took it first. */
export async function consumeFlashRecord(kv: Deno.Kv, entry: Deno.KvEntryMaybe<unknown>): Promise<boolean> {
  return (await kv.atomic().check(entry).delete(entry.key).commit()).ok;
}

/** The handle `did` was added to `wikiId` by; null when none was stored. */
export async function getMemberHandle(kv: Deno.Kv, wikiId: WikiId, did: string): Promise<string | null> {
  return (await kv.get<{ handle: string }>(PlatformKeys.memberHandle(wikiId, did))).value?.handle ?? null;
}

/** Remembers the handle `did` was added to `wikiId` by. */
export async function setMemberHandle(kv: Deno.Kv, wikiId: WikiId, did: string, handle: string): Promise<void> {
  await kv.set(PlatformKeys.memberHandle(wikiId, did), { handle });
}

/** Forgets the handle `did` was added to `wikiId` by (they left the wiki). */
export async function deleteMemberHandle(kv: Deno.Kv, wikiId: WikiId, did: string): Promise<void> {
  await kv.delete(PlatformKeys.memberHandle(wikiId, did));
}

/** Deletes the stored handles of a wiki's collaborators. Returns how many. */
export async function forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  return await deletePrefix(kv, PlatformKeys.memberHandles(wikiId));
}

/**
 * Deletes what the platform keeps of a person: the handles they were added by, on every wiki they still belong to
 * (so call it before the wiki store's `forgetUser` removes those memberships), then their user record. Returns 1
 * when there was a user record.
 */
export async function forgetUser(kv: Deno.Kv, did: string): Promise<number> {
  await deleteKeys(kv, (await wikiIdsOfUser(kv, did)).map((id) => PlatformKeys.memberHandle(id, did)));
  const user = await kv.get(PlatformKeys.user(did));
  await kv.delete(PlatformKeys.user(did));
  return user.value === null ? 0 : 1;
}

/** The platform store as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const PLATFORM_STORE: StorePart = {
  part: "lib/platform/store.ts",
  prefixes: PLATFORM_PREFIXES,
  forgetWiki,
  forgetUser,
};
