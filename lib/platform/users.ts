/**
 * @module
 * People who signed in: one record per DID (the identity), with the handle and display name seen at the last
 * login. Created on first login; signup then asks for the slug of their first wiki. Keys: lib/platform/store.ts.
 */
import { PlatformKeys } from "./store.ts";

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
