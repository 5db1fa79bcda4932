/**
 * @module
 * The user's CURRENT role at the token endpoint: a refresh issues only the scopes the grant holds AND the role of
 * the user who authorized it allows now (lib/auth/access.ts `scopesWithinRole`), so that after a demotion to viewer
 * the refreshed token, and the token response's `scope`, say `wiki:read`. The grant itself keeps what was consented
 * to: a member promoted back gets it again on the next refresh (access tokens are capped the same way at every use,
 * lib/oauth/verify.ts).
 *
 * Keeping the refresh at ONE `getMany` (tests/oauth/round_trips_test.ts): a refresh token names its grant but not
 * its user, so the member record's key is known only once the grant is read. Which user a grant belongs to never
 * changes, so each store handle (one per process or instance) remembers it, bounded, when tokens are issued for a
 * grant, and the member record is read in the same `getMany` as the refresh token; an instance that has not seen the
 * grant yet reads it with one `get` more.
 */
import type { Scope } from "../auth/principal.ts";
import { scopesForRole, scopesWithinRole } from "../auth/access.ts";
import { memberLookupKey, roleOfMember, roleOfMemberEntry } from "../wiki/keys.ts";
import type { Role } from "../wiki/types.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidGrantError, InvalidScopeError } from "./errors.ts";

/** Grants whose user one store handle remembers. */
const REMEMBERED_GRANTS = 10_000;
/** Per store handle: `{wikiId} {grantId}` -> the grant's user (DID); oldest first out. */
const grantUsers = new WeakMap<Deno.Kv, Map<string, string>>();

/** Remembers that `grantId` of `wikiId` belongs to `did` (called whenever tokens are issued for the grant). */
export function rememberGrantUser(kv: Deno.Kv, wikiId: string, grantId: string, did: string): void {
  let users = grantUsers.get(kv);
  if (!users) grantUsers.set(kv, users = new Map());
  const key = `${wikiId} ${grantId}`;
  if (users.get(key) === did) return;
  users.delete(key);
  if (users.size >= REMEMBERED_GRANTS) users.delete(users.keys().next().value!);
  users.set(key, did);
}

/** The member-record key to read with a refresh of `grantId` (the remembered user's), or undefined. */
export function memberKeyOfGrant(kv: Deno.Kv, wiki: WikiRef, grantId: string): Deno.KvKey | undefined {
  const did = grantUsers.get(kv)?.get(`${wiki.id} ${grantId}`);
  return did === undefined ? undefined : memberLookupKey(wiki.id, did);
}

/**
 * The current role of `did` on `wiki`: from `read` (the entry read at {@link memberKeyOfGrant}) when it is that
 * user's, else with one `get`. Null when they are no longer a member.
 */
export async function currentRole(
  ctx: OAuthContext,
  wiki: WikiRef,
  did: string,
  read: Deno.KvEntryMaybe<unknown> | undefined,
): Promise<Role | null> {
  const key = memberLookupKey(wiki.id, did);
  return read !== undefined && sameKey(read.key, key)
    ? roleOfMemberEntry(read)
    : await roleOfMember(ctx.kv, wiki.id, did);
}

/**
 * The scopes to issue on a refresh asking for `requested` (already within the grant) by a user whose current role
 * is `role`: `invalid_grant` when they are no longer a member, `invalid_scope` when the role allows none of them.
 */
export function scopesForRefresh(requested: readonly Scope[], role: Role | null): Scope[] {
  if (role === null) {
    throw new InvalidGrantError(
      "The user who authorized this app is no longer a member of this wiki. Connect the app again.",
    );
  }
  const scopes = scopesWithinRole(requested, role);
  if (scopes.length === 0) {
    throw new InvalidScopeError(
      `The user's role on this wiki (${role}) allows only ${scopesForRole(role).join(" ")}; ask for that scope.`,
    );
  }
  return scopes;
}

function sameKey(a: Deno.KvKey, b: Deno.KvKey): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
