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
  wiki   wiki_member_handle  the handle a collaborator was added by
`);

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
