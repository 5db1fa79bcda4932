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
import { forgetMemberHandles } from "./collaborators.ts";
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
 * with an optional title. ForbiddenError at the per-user limit (also when concurrent creates race for it); InvalidInputError for a bad name or title;
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
  // The check above answers early; the limit itself is enforced in the create's atomic commit (OwnerLimitError, a
  // ForbiddenError with the same message), so concurrent requests cannot pass it.
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
 * Deletes a wiki and everything that could reach it: every per-wiki token and every OAuth grant (both refused at
 * once on /mcp), the collaborators' stored handles, then the wiki (pages, members, history). The slug stays
 * reserved for the cooling-off period. Browser sessions on the wiki's host need no action: they carry only the
 * person's identity, and the wiki they could reach is gone.
 */
export async function deleteWikiEverywhere(
  deps: Pick<PlatformDeps, "kv" | "wikis" | "tokens" | "oauth">,
  wiki: WikiRecord,
): Promise<WikiDeletion> {
  let tokens = 0;
  for (const t of await deps.tokens.list(wiki.id)) {
    await deps.tokens.revoke(wiki.id, t.id).catch(() => {}); // already gone: fine
    tokens++;
  }
  const grants = (await deps.oauth.listGrants(wiki.id)).length;
  await deps.oauth.revokeAllForWiki(wiki.id);
  await forgetMemberHandles(deps.kv, wiki.id);
  await deps.wikis.delete(wiki.id);
  return { tokens, grants };
}
