/**
 * @module
 * The indexed history of recently cloned wikis, per process: a clone asks for the refs and then for the pack in two
 * requests, and both need the whole history indexed (lib/git/history.ts). An index is reused while the wiki's write
 * sequence is unchanged (one KV read per request), rebuilt after any write; a few wikis are kept, oldest out first.
 * An index holds its blobs' pack entries (about a third of the texts' size) until the first whole pack takes them.
 */
import type { WikiId } from "../kv/keys.ts";
import { historySeq } from "../wiki/history_feed.ts";
import { NotFoundError } from "../errors.ts";
import { type HistoryIndex, indexHistory } from "./history.ts";

/** Wikis whose index is kept. */
const KEPT = 4;

/** Indexes of recently read wikis. */
export class HistoryCache {
  readonly #kv: Deno.Kv;
  readonly #entries = new Map<WikiId, { seq: number; index: Promise<HistoryIndex> }>();

  /** A cache over `kv`. */
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** The index of `wikiId`'s history as it is now. NotFoundError when the wiki has no state (deleted). */
  async current(wikiId: WikiId): Promise<HistoryIndex> {
    const seq = await historySeq(this.#kv, wikiId);
    if (seq === null) throw new NotFoundError("This wiki does not exist (it may have been deleted).");
    const known = this.#entries.get(wikiId);
    if (known && known.seq === seq) return await known.index;
    const index = indexHistory(this.#kv, wikiId, seq);
    this.#entries.delete(wikiId);
    if (this.#entries.size >= KEPT) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(wikiId, { seq, index });
    index.catch(() => {
      if (this.#entries.get(wikiId)?.index === index) this.#entries.delete(wikiId);
    });
    return await index;
  }
}
