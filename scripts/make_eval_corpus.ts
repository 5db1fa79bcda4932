/**
 * @module
 * Writes the search evaluation set (bench/search_eval/corpus.ts) as JSON, for inspection or for other tools:
 *
 *   deno run --allow-write scripts/make_eval_corpus.ts [out.json] [seed]
 *
 * The set is deterministic (same seed, same file); `deno task bench search` builds it on the fly, so nothing
 * generated is committed.
 */
import { EVAL_SEED, makeEvalSet } from "../bench/search_eval/corpus.ts";

if (import.meta.main) {
  const out = Deno.args[0] ?? "eval_corpus.json";
  const seed = Deno.args[1] === undefined ? EVAL_SEED : Number(Deno.args[1]);
  if (!Number.isInteger(seed)) {
    console.error(`seed must be an integer, got ${Deno.args[1]}`);
    Deno.exit(2);
  }
  const set = makeEvalSet(seed);
  await Deno.writeTextFile(out, JSON.stringify(set, null, 1) + "\n");
  console.log(`${out}: ${set.pages.length} pages, ${set.queries.length} queries (seed ${seed})`);
}
