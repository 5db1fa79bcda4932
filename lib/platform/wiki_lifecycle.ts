/**
 * @module
 * Creating a wiki from the dashboard (slug rules, the per-user limit), and the ONE orchestrator of deletion: of a
 * wiki and of an account. Every part of the app keeps its records in its own store (lib/kv/keys.ts `StorePart`),
 * which forgets them through two hooks, `forgetWiki(kv, wikiId)` and `forgetUser(kv, did)`; this module calls them,
 * in this order, credentials first (after them nothing reaches the wiki or acts for the person, even if the rest
 * is interrupted):
 *
 * **Deleting a wiki** ({@link deleteWikiEverywhere}): the wiki registry hides the wiki in one commit (record and
 * state gone, slug tombstoned for the cooling-off period, `SLUG_COOLING_OFF_MS` in lib/wiki/wikis.ts, a purge
 * marker set), then purges (lib/wiki/wiki_purge.ts): the `forgetWiki` hooks of {@link FOREIGN_WIKI_DATA} in order:
 * 1. per-wiki tokens (lib/auth/token_store.ts), 2. OAuth clients, grants and tokens (lib/oauth/store.ts),
 * 3. the platform's records (collaborators' handles, lib/platform/store.ts), 4. sessions (nothing: they belong to
 * people), 5. the remote embedder's vectors and mark (lib/wiki/meaning/remote_store.ts); then the wiki core's own
 * keys (`forgetWiki` of lib/wiki/wiki_purge.ts) and the marker last. The purge is resumable: the marker makes deleting
 * again, or the maintenance sweep (`startMaintenance(kv, FOREIGN_WIKI_DATA)`), finish it.
 *
 * **Deleting an account** ({@link deleteAccountEverywhere}): 1. the OAuth grants the person gave, on every wiki, with
 * their codes, consents and tokens, 2. their per-wiki tokens (none: tokens belong to wikis), 3. every wiki they own,
 * deleted as above, 4. their ATProto session: revoked at the PDS (best effort), then forgotten here
 * (lib/atproto/stores.ts), 5. their browser sessions, 6. the platform's records (the handles they were added by, then
 * the user record), 7. their memberships of other people's wikis (the wiki core). Every step is
 * idempotent: sending the deletion again finishes an interrupted one.
 */
import type { WikiRecord } from "../wiki/types.ts";
import { ForbiddenError, InvalidInputError } from "../errors.ts";
import { checkSlug } from "./slugs.ts";
import type { DashboardUser, PlatformDeps } from "./deps.ts";
import { ownerLimitMessage } from "../wiki/owner_count.ts";
import type { StorePart } from "../kv/keys.ts";
import { TOKEN_STORE } from "../auth/token_store.ts";
import { OAUTH_STORE } from "../oauth/store.ts";
import { SESSION_STORE } from "../session/store.ts";
import { WIKI_STORE } from "../wiki/wiki_purge.ts";
import { PLATFORM_STORE } from "./store.ts";
import { ATPROTO_STORE } from "../atproto/stores.ts";
import { UPLOAD_STORE } from "../archive/upload_store.ts";
import { REMOTE_EMBED_STORE } from "../wiki/meaning/remote_store.ts";

/**
 * The parts that keep records under a wiki's id besides the wiki core, in the order a wiki's deletion forgets them
 * (credentials first). The wiki registry and the maintenance sweep take this list (`createWikis(deps,
 * FOREIGN_WIKI_DATA)`, `startMaintenance(kv, FOREIGN_WIKI_DATA)`), so that lib/wiki deletes them without importing
 * them. A part that adds records keyed by a wiki id adds its store here.
 */
export const FOREIGN_WIKI_DATA: readonly StorePart[] = [
  TOKEN_STORE,
  OAUTH_STORE,
  PLATFORM_STORE,
  SESSION_STORE,
  UPLOAD_STORE,
  REMOTE_EMBED_STORE,
];

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

/** Deletes everything of `user`, in the order the module doc gives (credentials first). */
export async function deleteAccountEverywhere(deps: PlatformDeps, user: DashboardUser): Promise<AccountDeletion> {
  const { kv } = deps;
  const grants = await OAUTH_STORE.forgetUser(kv, user.did, (deps.now ?? Date.now)());
  await TOKEN_STORE.forgetUser(kv, user.did);
  const deleted: string[] = [];
  const left: string[] = [];
  for (const { wiki } of await deps.wikis.forUser(user.did)) {
    if (wiki.ownerDid === user.did) {
      await deleteWikiEverywhere(deps, wiki);
      deleted.push(wiki.slug);
    } else {
      left.push(wiki.slug);
    }
  }
  let atprotoRevoked = false;
  if (deps.atprotoLogout) {
    try {
      await deps.atprotoLogout(user.did);
      atprotoRevoked = true;
    } catch {
      // The PDS may be unreachable; its session there then expires on its own. The account is deleted regardless.
    }
  }
  await ATPROTO_STORE.forgetUser(kv, user.did);
  const sessions = await SESSION_STORE.forgetUser(kv, user.did);
  await PLATFORM_STORE.forgetUser(kv, user.did);
  await UPLOAD_STORE.forgetUser(kv, user.did);
  await WIKI_STORE.forgetUser(kv, user.did);
  return { wikis: deleted, memberships: left, grants, sessions, atprotoRevoked };
}
