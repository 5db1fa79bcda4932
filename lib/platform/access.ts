/**
 * @module
 * Who may do what in the dashboard: any member may see a wiki's settings page (read-only unless admin); admins
 * (the owner, or members with the admin role) change settings; only the owner deletes the wiki. Non-members get
 * "not found", so the dashboard does not reveal which private wikis exist. The rules themselves (which role may
 * administer, who owns) are the access policy's (lib/auth/access.ts); this module applies them and words refusals.
 */
import type { Role, WikiRecord } from "../wiki/types.ts";
import type { Wikis } from "../wiki/wikis.ts";
import { ForbiddenError, InvalidInputError, NotFoundError } from "../errors.ts";
import { can, ownsWiki } from "../auth/access.ts";

/** A person's access to one wiki. */
export interface WikiAccess {
  wiki: WikiRecord;
  role: Role;
  isOwner: boolean;
}

/** The wiki named `slug` and the person's role on it; NotFoundError when it does not exist or they are no member. */
export async function accessWiki(wikis: Wikis, slug: string, did: string): Promise<WikiAccess> {
  const wiki = await wikis.bySlug(slug);
  const role = wiki ? await wikis.roleOf(wiki, did) : null;
  if (!wiki || role === null) {
    throw new NotFoundError(`You have no wiki named "${slug.slice(0, 40)}". Your wikis are listed on the dashboard.`);
  }
  return { wiki, role, isOwner: ownsWiki(wiki, did) };
}

/** Throws ForbiddenError unless the person is an admin of the wiki. */
export function requireAdmin(access: WikiAccess): void {
  if (!can(access, "administer")) {
    throw new ForbiddenError(
      `Only admins of ${access.wiki.slug} can change its settings; you are ${article(access.role)} ${access.role}. ` +
        `Ask the owner to make you an admin.`,
    );
  }
}

/** Throws ForbiddenError unless the person owns the wiki. */
export function requireOwner(access: WikiAccess): void {
  if (!can(access, "own")) throw new ForbiddenError(`Only the owner of ${access.wiki.slug} can delete it.`);
}

/**
 * Checks a typed confirmation (delete wiki: its slug; delete account: the handle). Case and surrounding spaces do
 * not matter, nor a leading `@`; InvalidInputError saying what to type otherwise.
 */
export function checkConfirmation(typed: string, expected: string, what: string): void {
  const norm = (s: string) => s.trim().replace(/^@/, "").toLowerCase();
  if (norm(typed) === "" || norm(typed) !== norm(expected)) {
    throw new InvalidInputError(`To confirm, type ${what} exactly: ${expected}. Nothing was deleted.`);
  }
}

/** "a" or "an" before a role name (grammar only). */
function article(role: Role): string {
  return /^[aeiou]/.test(role) ? "an" : "a";
}
