/**
 * @module
 * Creating a wiki from the dashboard (slug rules, the per-user limit) and deleting one completely: its tokens, its
 * OAuth grants, the dashboard's own records, then the wiki itself (whose slug stays reserved for a cooling-off
 * period, see `SLUG_COOLING_OFF_MS` in lib/wiki/wikis.ts).
 */
import type { WikiRecord } from "../wiki/types.ts";
import { ForbiddenError, InvalidInputError } from "../errors.ts";
import { checkSlug } from "./slugs.ts";
import type { DashboardUser, PlatformDeps } from "./deps.ts";
import { ownerLimitMessage } from "../wiki/owner_count.ts";

/** Longest wiki title accepted. */
export const MAX_TITLE_LENGTH = 80;

/** How many wikis a person owns, and whether they may create another. */
export async function ownedWikis(
  deps: Pick<PlatformDeps, "wikis" | "wikisPerUser">,
  did: string,
): Promise<{ owned: WikiRecord[]; limit: number; canCreate: boolean }> {
  const owned = (await deps.wikis.forUser(did)).filter((w) => w.wiki.ownerDid === did).map((w) => w.wiki);
  return { owned, limit: deps.wikisPerUser, canCreate: owned.length < deps.wikisPerUser };
}

/**
 * Creates a wiki owned by `user` named `slugInput` (lowercased; the platform's slug rules and reserved names apply)
 * with an optional title. ForbiddenError at the per-user limit (decided in the create's atomic commit, so concurrent
 * creates cannot pass it); InvalidInputError for a bad name or title;
 * AlreadyExistsError when the name is taken or was recently used by a deleted wiki.
 */
export async function createWikiForUser(
  deps: Pick<PlatformDeps, "wikis" | "wikisPerUser">,
  user: DashboardUser,
  input: { slug: string; title?: string },
): Promise<WikiRecord> {
  const { owned, limit, canCreate } = await ownedWikis(deps, user.did);
  if (!canCreate) {
    throw new ForbiddenError(limitMessage(owned.length, limit));
  }
  const check = checkSlug(String(input.slug ?? ""));
  if (!check.ok) throw new InvalidInputError(check.message);
  const title = String(input.title ?? "").trim();
  if (title.length > MAX_TITLE_LENGTH) {
    throw new InvalidInputError(`The title must be at most ${MAX_TITLE_LENGTH} characters.`);
  }
  return await deps.wikis.create(
    { slug: check.slug, title: title || undefined, ownerDid: user.did, ownerLimit: limit },
    { id: user.did, name: user.handle, client: "web" },
  );
}

/** Says that the per-person limit is reached, and what to do. */
export function limitMessage(owned: number, limit: number): string {
  return ownerLimitMessage(owned, limit);
}

/** What deleting a wiki revoked. */
export interface WikiDeletion {
  tokens: number;
  grants: number;
}

/**
 * Deletes a wiki and everything that could reach it: every per-wiki token and every OAuth grant (refused on /mcp
 * from the first commit of the deletion, which hides the wiki, and purged first), the collaborators' stored
 * handles, then the pages, members and history. The slug stays reserved for the cooling-off period. Browser sessions
 * on the wiki's host need no action: they carry only the person's identity, and the wiki they could reach is gone.
 *
 * Interrupted (a KV failure), the wiki is either intact or hidden with its purge pending: calling this again, or
 * {@link finishWikiDeletion} once the wiki is hidden, finishes it (lib/wiki/wiki_purge.ts).
 */
export async function deleteWikiEverywhere(
  deps: Pick<PlatformDeps, "wikis" | "tokens" | "oauth">,
  wiki: WikiRecord,
): Promise<WikiDeletion> {
  const tokens = (await deps.tokens.list(wiki.id)).length;
  const grants = (await deps.oauth.listGrants(wiki.id)).length;
  await deps.wikis.delete(wiki.id);
  return { tokens, grants };
}

/**
 * Sending the delete form again after a failure: when `did` deleted the wiki that had `slug` (it is hidden, its
 * slug in the cooling-off period), finishes an interrupted purge and returns true; false when there is no such
 * deletion (the caller then answers "not found").
 */
export async function finishWikiDeletion(
  deps: Pick<PlatformDeps, "wikis">,
  slug: string,
  did: string,
): Promise<boolean> {
  return await deps.wikis.finishDeletion(slug, did);
}
