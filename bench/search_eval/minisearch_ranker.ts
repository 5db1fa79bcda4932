/**
 * @module
 * A library alternative to the hand-written index, for the search benchmark only: MiniSearch (npm `minisearch`)
 * over the same pages, read through the page store, with its own typo tolerance (fuzzy 0.2), prefix matching and
 * the title (with path) boosted x3 like ours. Issue 12 asks to choose between the current index and a library by
 * measurement; this ranker is that measurement. It answers from memory without the store's freshness check and
 * snippets, so its time ratio in the report flatters it.
 */
import MiniSearch from "minisearch";
import type { PageStore } from "../../lib/wiki/store.ts";
import type { Ranker } from "../meaning_rankers.ts";

/** A MiniSearch ranker over the wiki's live pages, indexed on first use. */
export function miniSearchRanker(wiki: PageStore): Ranker {
  let index: Promise<MiniSearch> | null = null;
  const build = async () => {
    const ms = new MiniSearch({ fields: ["title", "body"], idField: "path" });
    const docs = [];
    for (const m of await wiki.list()) {
      const page = await wiki.read(m.path);
      docs.push({ path: m.path, title: `${m.title} ${m.path.replaceAll("/", " ")}`, body: page.content });
    }
    ms.addAll(docs);
    return ms;
  };
  return async (query, limit) => {
    index ??= build();
    const hits = (await index).search(query, { fuzzy: 0.2, prefix: true, boost: { title: 3 } });
    return hits.slice(0, limit).map((h) => String(h.id));
  };
}
