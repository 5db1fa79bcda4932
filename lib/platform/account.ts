/**
 * @module
 * Deleting an account: every wiki the person owns (as wiki deletion does: tokens, grants, pages; slugs stay
 * reserved), their memberships of other people's wikis, every OAuth grant they gave, their ATProto session at the
 * PDS (when sign-in provides a logout), every browser session, and finally the user record.
 */
import { checkConfirmation } from "./access.ts";
import { deleteWikiEverywhere } from "./wiki_lifecycle.ts";
import { CollaboratorKeys } from "./collaborators.ts";
import { deleteUser } from "./users.ts";
import type { DashboardUser, PlatformDeps } from "./deps.ts";

/** What deleting an account removed. */
export interface AccountDeletion {
  /** Slugs of the deleted wikis. */
  wikis: string[];
  /** Slugs of the wikis the person was removed from. */
  memberships: string[];
  grants: number;
  sessions: number;
  /** False when no ATProto logout was available or it failed (the PDS session then lapses on its own). */
  atprotoRevoked: boolean;
}

/**
 * Deletes `user`'s account after checking the typed confirmation (their handle). InvalidInputError when it does
 * not match; nothing is deleted then.
 */
export async function deleteAccount(
  deps: PlatformDeps,
  user: DashboardUser,
  confirmation: string,
): Promise<AccountDeletion> {
  checkConfirmation(confirmation, user.handle, "your handle");
  const grants = await deps.oauth.revokeAllForUser(user.did);
  const deleted: string[] = [];
  const left: string[] = [];
  for (const { wiki } of await deps.wikis.forUser(user.did)) {
    if (wiki.ownerDid === user.did) {
      await deleteWikiEverywhere(deps, wiki);
      deleted.push(wiki.slug);
    } else {
      await deps.wikis.removeMember(wiki.id, user.did);
      await deps.kv.delete(CollaboratorKeys.memberHandle(wiki.id, user.did));
      left.push(wiki.slug);
    }
  }
  let atprotoRevoked = false;
  if (deps.atprotoLogout) {
    try {
      await deps.atprotoLogout(user.did);
      atprotoRevoked = true;
    } catch {
      // The PDS may be unreachable; its session then expires on its own. The account is deleted regardless.
    }
  }
  const sessions = await deps.sessions.destroyAllForUser(user.did);
  await deleteUser(deps.kv, user.did);
  return { wikis: deleted, memberships: left, grants, sessions, atprotoRevoked };
}
