/**
 * @module
 * The context shared by the page store's modules (lib/wiki/page_store.ts, lib/wiki/attachments.ts): the wiki, its
 * KV, clock and revision ids, plus the head reads and checks every operation starts with.
 */
import { K } from "./keys.ts";
import { NotFoundError } from "../errors.ts";
import type { StoreDeps } from "./store.ts";
import type { Actor, RevisionAction, WikiRecord } from "./types.ts";
import { type PageHead, type StoredRevision, storedRevision, type WikiState } from "./records.ts";
import type { WriteContext } from "./commit.ts";
import { newRevisionId, shortRev } from "./revisions.ts";

/** Everything a store operation needs; shared with lib/wiki/attachments.ts. */
export interface StoreContext extends WriteContext {
  deps: StoreDeps;
  wiki: WikiRecord;
  now: () => number;
  revisionId: () => string;
}

/** The store context of `wiki` (its page store's, and the undo's). */
export function storeContext(deps: StoreDeps, wiki: WikiRecord): StoreContext {
  return {
    deps,
    wiki,
    kv: deps.kv,
    wikiId: wiki.id,
    quota: wiki.quota,
    afterCommit: deps.afterCommit,
    now: deps.now ?? Date.now,
    revisionId: deps.revisionId ?? newRevisionId,
  };
}

/** A new revision record for the write that follows `state`. */
export function makeRevision(
  ctx: StoreContext,
  state: WikiState,
  action: RevisionAction,
  message: string,
  paths: string[],
  actor: Actor,
): StoredRevision {
  return storedRevision({
    id: ctx.revisionId(),
    seq: state.seq + 1,
    time: ctx.now(),
    author: actor.id,
    authorName: actor.name,
    client: actor.client,
    ...(actor.connection === undefined ? {} : { connection: actor.connection }),
    message,
    action,
    paths,
  });
}

/** Reads a page head (live or deleted), or null. */
export async function getHead(ctx: StoreContext, path: string): Promise<PageHead | null> {
  return (await ctx.kv.get<PageHead>(K.page(ctx.wikiId, path))).value;
}

/** A page head that must be live; NotFoundError (saying whether it was deleted) otherwise. */
export function requireLive(path: string, head: PageHead | null): PageHead {
  if (head === null) {
    throw new NotFoundError(
      `Page "${path}" does not exist. Check the path (case matters), or search or list the pages to find it.`,
      { reason: "page_not_found", path },
    );
  }
  if (head.deleted) {
    throw new NotFoundError(
      `Page "${path}" was deleted (revision ${shortRev(head.revision)}). Its history is kept: restore it to bring ` +
        `it back.`,
      { reason: "page_deleted", path },
    );
  }
  return head;
}

/** Reads many heads (10 per round trip, in parallel); null where absent. */
export async function getHeads(ctx: StoreContext, paths: string[]): Promise<(PageHead | null)[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < paths.length; i += 10) chunks.push(paths.slice(i, i + 10));
  const results = await Promise.all(
    chunks.map((c) => ctx.kv.getMany<PageHead[]>(c.map((p) => K.page(ctx.wikiId, p)))),
  );
  return results.flat().map((e) => e.value);
}
