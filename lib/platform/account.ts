/**
 * @module
 * Deleting an account from the dashboard: the typed confirmation, then lib/platform/wiki_lifecycle.ts (the one
 * orchestrator of deletion) removes every wiki the person owns (as wiki deletion does: tokens, grants, pages; slugs
 * stay reserved), their memberships of other people's wikis, every OAuth grant they gave, their ATProto session at
 * the PDS (when sign-in provides a logout), every browser session, and the user record.
 */
import { checkConfirmation } from "./access.ts";
import { type AccountDeletion, deleteAccountEverywhere } from "./wiki_lifecycle.ts";
import type { DashboardUser, PlatformDeps } from "./deps.ts";

export type { AccountDeletion } from "./wiki_lifecycle.ts";

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
  return await deleteAccountEverywhere(deps, user);
}
