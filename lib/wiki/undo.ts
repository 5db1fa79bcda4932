/**
 * @module
 * Undo an agent: everything one connection (an OAuth grant or a per-wiki token) changed on a wiki since an
 * instant, reverted in ONE step. `planUndo` says what would happen to each page (lib/wiki/undo_plan.ts);
 * `applyUndo` re-plans inside the write protocol (lib/wiki/commit.ts) and commits every reverted page as one new
 * revision, atomically, guarded by the wiki's write sequence: a write that lands in between makes it plan again,
 * and with `expect` (the fingerprint of the plan a person reviewed) a changed plan is refused instead of applied.
 */
import type { WikiRecord } from "./types.ts";
import type { Actor } from "./types.ts";
import type { RevId } from "../kv/keys.ts";
import type { StoreDeps } from "./store.ts";
import { ConflictError, InvalidInputError } from "../errors.ts";
import { bareHead, commitMessage, embeddedRevision, type PageHead } from "./records.ts";
import { BlobStager, discardOnRefusal, type PageChange, placeContent, readState, runWrite } from "./commit.ts";
import { makeRevision, storeContext } from "./store_context.ts";
import { planUndoDetailed, type UndoItem, type UndoPlan, type UndoRefusal } from "./undo_plan.ts";

export type { UndoItem, UndoKind, UndoPlan, UndoRefusal } from "./undo_plan.ts";

/** What an applied undo did. */
export interface UndoResult {
  /** The one revision that reverted the pages. */
  revision: RevId;
  reverted: UndoItem[];
  refused: UndoRefusal[];
  notes: string[];
}

/** What undoing everything `connection` changed on `wiki` since `since` (epoch ms) would do. Changes nothing. */
export async function planUndo(
  deps: StoreDeps,
  wiki: WikiRecord,
  connection: string,
  since: number,
): Promise<UndoPlan> {
  const { planned: _planned, ...plan } = await planUndoDetailed(storeContext(deps, wiki), connection, since);
  return plan;
}

/**
 * Reverts everything `connection` changed on `wiki` since `since`, as one new revision by `actor`: created pages
 * deleted, renamed ones renamed back, edited or deleted ones restored to their state before the connection's first
 * change since then; pages someone else changed after it are left alone (listed in `refused`). With `expect`, the
 * plan must still have that fingerprint (ConflictError otherwise: review it again). InvalidInputError when there is
 * nothing to revert.
 */
export async function applyUndo(
  deps: StoreDeps,
  wiki: WikiRecord,
  connection: string,
  since: number,
  actor: Actor,
  opts: { expect?: string } = {},
): Promise<UndoResult> {
  const ctx = storeContext(deps, wiki);
  const stager = new BlobStager(ctx.kv, ctx.wikiId, ctx.now);
  try {
    const result = await runWrite(ctx, async () => {
      const { state, versionstamp } = await readState(ctx.kv, ctx.wikiId);
      const plan = await planUndoDetailed(ctx, connection, since);
      if (opts.expect !== undefined && plan.fingerprint !== opts.expect) {
        throw new ConflictError(
          "The wiki changed since you reviewed this undo, so nothing was changed. Review the pages again, then " +
            "confirm.",
          null,
        );
      }
      if (plan.planned.length === 0) {
        throw new InvalidInputError(
          plan.refused.length > 0
            ? "Nothing was undone: every page this connection changed was changed again by someone else since."
            : "This connection changed nothing that can be undone since then.",
        );
      }
      const sinceText = new Date(since).toISOString().slice(0, 16).replace("T", " ");
      const message = commitMessage(undefined, `Undo changes by ${plan.name ?? connection} since ${sinceText} UTC`);
      const paths = [...new Set(plan.planned.flatMap((p) => p.path === p.to ? [p.to] : [p.to, p.path]))];
      const rev = makeRevision(ctx, state, "restore", message, paths, actor);
      const pages: PageChange[] = [];
      for (const p of plan.planned) {
        const before = p.head;
        if (p.kind === "delete") {
          const after: PageHead = {
            ...before,
            revision: rev.id,
            seq: rev.seq,
            updatedAt: rev.time,
            deleted: true,
            last: embeddedRevision(rev),
          };
          pages.push({ before, after });
          continue;
        }
        const bare = bareHead({ pageId: before.pageId, path: p.to, createdAt: before.createdAt }, p.text!, rev);
        pages.push({ before, after: { ...bare, content: await placeContent(bare, p.text!, stager) }, text: p.text! });
      }
      const result: UndoResult = {
        revision: rev.id,
        reverted: plan.items,
        refused: plan.refused,
        notes: plan.notes,
      };
      return {
        stateVersionstamp: versionstamp,
        state,
        revision: rev,
        pages,
        publish: stager.staged(pages.map((c) => c.after.content)),
        result,
        tooLarge: (m: number) =>
          `Undoing ${pages.length} pages at once is too large a change (${m} key updates). Choose a later time to ` +
          `undo fewer changes.`,
      };
    });
    await stager.discard(stager.published);
    return result;
  } catch (err) {
    return await discardOnRefusal(stager, err);
  }
}
