/**
 * @module
 * Revision ids (32 random lowercase hex chars), prefix resolution (7+ chars) and the optimistic-locking check.
 */
import { type RevId, type WikiId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { randomHex } from "../ids.ts";
import { AmbiguousError, ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import type { StoredRevision } from "./records.ts";

/** Shortest accepted revision prefix. */
export const MIN_REVISION_PREFIX = 7;
const REV_PREFIX = /^[0-9a-f]{7,32}$/;

/** A new random revision id. */
export function newRevisionId(): RevId {
  return randomHex(16);
}

/** The 8-character display form of a revision id. */
export function shortRev(id: string): string {
  return id.slice(0, 8);
}

/** Normalizes a revision prefix (trim, lowercase) or throws InvalidInputError. */
export function normalizeRevision(given: string): string {
  const p = String(given ?? "").trim().toLowerCase();
  if (!REV_PREFIX.test(p)) {
    const shown = JSON.stringify(String(given ?? "").slice(0, 40));
    throw new InvalidInputError(
      `Invalid revision ${shown}: a revision is ${MIN_REVISION_PREFIX} to 32 hexadecimal characters (0-9, a-f), ` +
        `e.g. the 8-character id shown in the page's history.`,
    );
  }
  return p;
}

/** Resolves a revision id or unambiguous prefix of 7+ chars with one bounded list. */
export async function resolveRevision(kv: Deno.Kv, wikiId: WikiId, given: string): Promise<StoredRevision> {
  const prefix = normalizeRevision(given);
  const found: StoredRevision[] = [];
  const iter = kv.list<StoredRevision>(
    { start: [...K.revs(wikiId), prefix], end: [...K.revs(wikiId), prefix + "\uffff"] },
    { limit: 2 },
  );
  for await (const e of iter) found.push(e.value);
  if (found.length === 0) {
    throw new NotFoundError(
      `Revision ${prefix} was not found in this wiki. Check the id in the page's history or recent changes.`,
    );
  }
  if (found.length > 1) {
    throw new AmbiguousError(
      `Revision prefix ${prefix} matches more than one revision (${shortRev(found[0].id)}…, ` +
        `${shortRev(found[1].id)}…). Give more characters of the revision id.`,
    );
  }
  return found[0];
}

/**
 * The optimistic-locking check: `given` must be a 7+ char prefix of `current`. Throws InvalidInputError for a
 * malformed revision, ConflictError naming the current revision otherwise.
 */
export function checkCurrentRevision(path: string, given: string, current: RevId): void {
  const p = normalizeRevision(given);
  if (!current.startsWith(p)) {
    throw new ConflictError(`Revision mismatch: ${path} is at revision ${shortRev(current)}, not ${p}.`, current, {
      reason: "revision_conflict",
      path,
      advice: "Read the page again to get the current revision, then retry.",
    });
  }
}
