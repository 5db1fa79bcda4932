/**
 * @module
 * The search evaluation set (issue 12 item 5), generated deterministically from bench/search_eval/topics.ts and a
 * seed: 1,000 pages (40 domains x 5 facets x 5 codenames, each a few sentences of its domain's words) and 200
 * judged queries of three kinds:
 * - keyword (60): a page's facet (or one word of it) and codename as written, e.g. "oil change heron" or
 *   "brake falcon"; relevant: that page;
 * - typo (60): the same for other pages with a typo (one edit, two in words of 8+ letters) in every word of 5+
 *   letters, e.g. "oil chnage heorn"; relevant: that page;
 * - paraphrase (80): the domain's paraphrases, e.g. "vehicle upkeep"; relevant: the domain's 25 pages, none of
 *   which shares a content word with the query after stop-word removal and stemming (checked here and in a test).
 * `deno run scripts/make_eval_corpus.ts` writes it out as JSON for inspection; the bench builds it on the fly.
 */
import { seededRandom } from "../stats.ts";
import { tokenize } from "../../lib/wiki/text.ts";
import { stem } from "../../lib/wiki/search/stem.ts";
import { CODENAMES, DOMAINS, FILLER, TEMPLATES } from "./topics.ts";

/** Kinds of evaluation query. */
export type QueryKind = "keyword" | "paraphrase" | "typo";

/** Query kinds in report order. */
export const QUERY_KINDS: QueryKind[] = ["keyword", "paraphrase", "typo"];

/** A page of the corpus. */
export interface EvalPage {
  path: string;
  content: string;
}

/** A judged query. */
export interface EvalQuery {
  kind: QueryKind;
  text: string;
  /** Paths of the relevant pages. */
  relevant: string[];
}

/** The corpus and its queries. */
export interface EvalSet {
  pages: EvalPage[];
  queries: EvalQuery[];
}

/** Seed of the committed numbers. */
export const EVAL_SEED = 20261205;
const KEYWORD_QUERIES = 60;
const TYPO_QUERIES = 60;
const CODENAMES_PER_DOMAIN = 5;
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** English stop words, removed before the paraphrase checks. */
export const STOP_WORDS = new Set(
  ("a an and are as at be but by do does for from how i in is it its of on or our so that the their then this to " +
    "up we what when where which who why with you your")
    .split(" "),
);

/** The stems of a text's content words (stop words removed). */
export function contentStems(text: string): Set<string> {
  return new Set(tokenize(text).filter((t) => !STOP_WORDS.has(t)).map(stem));
}

/** Builds the evaluation set for a seed; throws when a paraphrase shares a content word with its pages. */
export function makeEvalSet(seed: number = EVAL_SEED): EvalSet {
  const rand = seededRandom(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const pages: EvalPage[] = [];
  const byDomain: string[][] = [];
  const subjects: { path: string; facet: string; codename: string }[] = [];
  DOMAINS.forEach((d, di) => {
    byDomain.push([]);
    for (const facet of d.facets) {
      for (let k = 0; k < CODENAMES_PER_DOMAIN; k++) {
        const codename = CODENAMES[(di * 7 + k * 5) % CODENAMES.length];
        const path = `${d.folder}/${facet} (${codename})`;
        const facetWords = tokenize(facet);
        const sentences = [`${facet} for ${codename}.`];
        const count = 4 + Math.floor(rand() * 4);
        for (let s = 0; s < count; s++) {
          const fill = (slot: string) => slot === "{n}" ? codename : rand() < 0.3 ? pick(facetWords) : pick(d.words);
          sentences.push(pick(TEMPLATES).replace(/\{[abcn]\}/g, fill));
          if (rand() < 0.4) sentences.push(pick(FILLER));
        }
        pages.push({ path, content: `# ${facet} (${codename})\n\n${sentences.join(" ")}\n` });
        byDomain[di].push(path);
        subjects.push({ path, facet, codename });
      }
    }
  });
  const vocabulary = new Set(pages.flatMap((p) => tokenize(`${p.path} ${p.content}`)));
  const order = shuffled(subjects.map((_, i) => i), rand);
  const queries: EvalQuery[] = [];
  for (const [n, i] of order.slice(0, KEYWORD_QUERIES).entries()) {
    const s = subjects[i];
    const words = n % 2 === 0 ? s.facet : pick(tokenize(s.facet).filter((w) => w.length > 2));
    queries.push({ kind: "keyword", text: `${words} ${s.codename}`.toLowerCase(), relevant: [s.path] });
  }
  for (const i of order.slice(KEYWORD_QUERIES, KEYWORD_QUERIES + TYPO_QUERIES)) {
    const s = subjects[i];
    const words = tokenize(`${s.facet} ${s.codename}`).map((w) => w.length >= 5 ? misspell(w, vocabulary, rand) : w);
    queries.push({ kind: "typo", text: words.join(" "), relevant: [s.path] });
  }
  const problems = new Set<string>();
  DOMAINS.forEach((d, di) => {
    for (const text of d.paraphrases) {
      const relevant = byDomain[di];
      for (const path of relevant) {
        const page = pages.find((p) => p.path === path)!;
        const shared = [...contentStems(text)].filter((s) => contentStems(`${page.path} ${page.content}`).has(s));
        if (shared.length > 0) problems.add(`"${text}" shares ${shared.join(", ")} with ${d.folder}`);
      }
      queries.push({ kind: "paraphrase", text, relevant });
    }
  });
  if (problems.size > 0) throw new Error(`paraphrases share words with their pages: ${[...problems].join("; ")}`);
  return { pages, queries };
}

/** A typo'd form of `word` that is not a word of the corpus: one edit, two for words of 8+ letters. */
function misspell(word: string, vocabulary: Set<string>, rand: () => number): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    let w = typo(word, rand);
    if (word.length >= 8) w = typo(w, rand);
    if (w !== word && !vocabulary.has(w)) return w;
  }
  throw new Error(`no typo found for ${word}`);
}

/** One random edit (never of the first letter): deletion, substitution, insertion or adjacent swap. */
function typo(w: string, rand: () => number): string {
  const i = 1 + Math.floor(rand() * (w.length - 1));
  const letter = LETTERS[Math.floor(rand() * LETTERS.length)];
  switch (Math.floor(rand() * 4)) {
    case 0:
      return w.slice(0, i) + w.slice(i + 1);
    case 1:
      return w.slice(0, i) + letter + w.slice(i + 1);
    case 2:
      return w.slice(0, i) + letter + w.slice(i);
    default:
      return i + 1 < w.length ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : w.slice(0, i - 1) + w[i] + w[i - 1];
  }
}

/** A seeded Fisher-Yates shuffle of a copy. */
function shuffled<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
