/**
 * @module
 * English stemming for forgiving search: the Porter (1980) suffix-stripping algorithm, written from its published
 * description. `stem("connections")`, `stem("connecting")` and `stem("connected")` are all `"connect"`. Only tokens
 * of plain ASCII letters are stemmed; anything else (digits, accents, other scripts) is returned as it is, and so
 * are words of one or two letters.
 */

const PLAIN_WORD = /^[a-z]+$/;

/** The stem of a lowercase token (itself when not a plain English word). */
export function stem(word: string): string {
  if (word.length <= 2 || !PLAIN_WORD.test(word)) return word;
  let w = step1a(word);
  w = step1b(w);
  w = step1c(w);
  w = replaceSuffix(w, STEP2, 0);
  w = replaceSuffix(w, STEP3, 0);
  w = step4(w);
  return step5(w);
}

/** True when `w[i]` is a consonant in Porter's sense (`y` after a consonant is a vowel). */
function isConsonant(w: string, i: number): boolean {
  const c = w[i];
  if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return false;
  if (c === "y") return i === 0 || !isConsonant(w, i - 1);
  return true;
}

/** Porter's measure m: the number of vowel-consonant sequences in `w` ([C](VC)^m[V]). */
function measure(w: string): number {
  let m = 0;
  let i = 0;
  while (i < w.length && isConsonant(w, i)) i++;
  while (i < w.length) {
    while (i < w.length && !isConsonant(w, i)) i++;
    if (i >= w.length) break;
    while (i < w.length && isConsonant(w, i)) i++;
    m++;
  }
  return m;
}

/** True when `w` contains a vowel. */
function hasVowel(w: string): boolean {
  for (let i = 0; i < w.length; i++) if (!isConsonant(w, i)) return true;
  return false;
}

/** True when `w` ends with a double consonant (`-tt`, `-ss`). */
function endsDoubleConsonant(w: string): boolean {
  const n = w.length;
  return n >= 2 && w[n - 1] === w[n - 2] && isConsonant(w, n - 1);
}

/** True when `w` ends consonant-vowel-consonant and the last is not w, x or y (`-hop`, `-fil`). */
function endsCvc(w: string): boolean {
  const n = w.length;
  if (n < 3 || !isConsonant(w, n - 3) || isConsonant(w, n - 2) || !isConsonant(w, n - 1)) return false;
  const c = w[n - 1];
  return c !== "w" && c !== "x" && c !== "y";
}

/** Plurals: sses -> ss, ies -> i, ss -> ss, s -> "". */
function step1a(w: string): string {
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ies")) return w.slice(0, -2);
  if (w.endsWith("ss")) return w;
  if (w.endsWith("s")) return w.slice(0, -1);
  return w;
}

/** Past tenses and gerunds: eed, ed, ing, with the clean-up of what remains. */
function step1b(w: string): string {
  if (w.endsWith("eed")) return measure(w.slice(0, -3)) > 0 ? w.slice(0, -1) : w;
  let base: string | null = null;
  if (w.endsWith("ed") && hasVowel(w.slice(0, -2))) base = w.slice(0, -2);
  else if (w.endsWith("ing") && hasVowel(w.slice(0, -3))) base = w.slice(0, -3);
  if (base === null) return w;
  if (base.endsWith("at") || base.endsWith("bl") || base.endsWith("iz")) return base + "e";
  if (endsDoubleConsonant(base)) {
    const last = base[base.length - 1];
    return last === "l" || last === "s" || last === "z" ? base : base.slice(0, -1);
  }
  if (measure(base) === 1 && endsCvc(base)) return base + "e";
  return base;
}

/** A final y after a vowel-holding stem becomes i. */
function step1c(w: string): string {
  return w.endsWith("y") && hasVowel(w.slice(0, -1)) ? w.slice(0, -1) + "i" : w;
}

/** Double suffixes mapped to single ones (m > 0). */
const STEP2: [string, string][] = [
  ["ational", "ate"],
  ["tional", "tion"],
  ["enci", "ence"],
  ["anci", "ance"],
  ["izer", "ize"],
  ["bli", "ble"],
  ["alli", "al"],
  ["entli", "ent"],
  ["eli", "e"],
  ["ousli", "ous"],
  ["ization", "ize"],
  ["ation", "ate"],
  ["ator", "ate"],
  ["alism", "al"],
  ["iveness", "ive"],
  ["fulness", "ful"],
  ["ousness", "ous"],
  ["aliti", "al"],
  ["iviti", "ive"],
  ["biliti", "ble"],
  ["logi", "log"],
];

/** -ic-, -full, -ness and the like (m > 0). */
const STEP3: [string, string][] = [
  ["icate", "ic"],
  ["ative", ""],
  ["alize", "al"],
  ["iciti", "ic"],
  ["ical", "ic"],
  ["ful", ""],
  ["ness", ""],
];

/** Suffixes removed when the rest has m > 1 (`ion` only after s or t). */
const STEP4 = [
  "al",
  "ance",
  "ence",
  "er",
  "ic",
  "able",
  "ible",
  "ant",
  "ement",
  "ment",
  "ent",
  "ion",
  "ou",
  "ism",
  "ate",
  "iti",
  "ous",
  "ive",
  "ize",
];

/** Replaces the longest matching suffix of `rules` when the rest's measure exceeds `minMeasure`. */
function replaceSuffix(w: string, rules: [string, string][], minMeasure: number): string {
  let best: [string, string] | null = null;
  for (const rule of rules) if (w.endsWith(rule[0]) && (!best || rule[0].length > best[0].length)) best = rule;
  if (!best) return w;
  const rest = w.slice(0, w.length - best[0].length);
  return measure(rest) > minMeasure ? rest + best[1] : w;
}

/** Removes the longest suffix of STEP4 when the rest has m > 1. */
function step4(w: string): string {
  let best = "";
  for (const s of STEP4) if (w.endsWith(s) && s.length > best.length) best = s;
  if (best === "") return w;
  const rest = w.slice(0, w.length - best.length);
  if (best === "ion" && !(rest.endsWith("s") || rest.endsWith("t"))) return w;
  return measure(rest) > 1 ? rest : w;
}

/** A final e goes (m > 1, or m = 1 and not cvc); a final double l goes when m > 1. */
function step5(w: string): string {
  if (w.endsWith("e")) {
    const rest = w.slice(0, -1);
    const m = measure(rest);
    if (m > 1 || (m === 1 && !endsCvc(rest))) w = rest;
  }
  if (w.endsWith("ll") && measure(w) > 1) w = w.slice(0, -1);
  return w;
}
