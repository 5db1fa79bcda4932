import assert from "node:assert/strict";
import {
  allowedEdits,
  boundedEditDistance,
  letterSignature,
  mayBeNear,
  popCount,
} from "../../../lib/wiki/search/fuzzy.ts";

Deno.test("fuzzy - edit distance counts insertions, deletions, substitutions and adjacent swaps", () => {
  const cases: [string, string, number][] = [
    ["kitten", "kitten", 0],
    ["kitten", "sitten", 1],
    ["kitten", "kiten", 1],
    ["kitten", "kittens", 1],
    ["kitten", "iktten", 1],
    ["authentication", "authentcation", 1],
    ["authentication", "athentcation", 2],
    ["kitten", "sitting", 3],
  ];
  for (const [a, b, d] of cases) {
    assert.equal(boundedEditDistance(a, b, 3), d, `${a} ${b}`);
    assert.equal(boundedEditDistance(b, a, 3), d, `${b} ${a}`);
  }
});

Deno.test("fuzzy - a distance past the bound reports bound + 1", () => {
  assert.equal(boundedEditDistance("kitten", "sitting", 1), 2);
  assert.equal(boundedEditDistance("abcdefgh", "zyxwvuts", 2), 3);
  assert.equal(boundedEditDistance("short", "a much longer word", 2), 3);
});

Deno.test("fuzzy - allowed edits grow with length", () => {
  assert.deepEqual([3, 4, 5, 7, 8, 20].map(allowedEdits), [0, 0, 1, 1, 2, 2]);
  assert.equal(allowedEdits(1000), 0);
});

Deno.test("fuzzy - signatures of words an edit apart differ in at most two bits", () => {
  const pairs = [["maintenance", "maintanance"], ["bread", "braed"], ["sourdough", "sourdogh"], ["cafe", "cafes"]];
  for (const [a, b] of pairs) assert.ok(popCount(letterSignature(a) ^ letterSignature(b)) <= 2, `${a} ${b}`);
  assert.equal(popCount(0xffffffff), 32);
  assert.equal(popCount(0), 0);
});

Deno.test("fuzzy - the piece filter never rules out a term within the allowed edits", () => {
  const words = ["authentication", "maintenance", "sourdough", "kubernetes", "handle", "bread", "abcdefgh"];
  let seed = 3;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  for (const w of words) {
    for (let i = 0; i < 200; i++) {
      let t = w;
      for (let e = 0; e < 2; e++) {
        const at = Math.floor(random() * t.length);
        const r = random();
        if (r < 0.3) t = t.slice(0, at) + t.slice(at + 1);
        else if (r < 0.6) t = t.slice(0, at) + "z" + t.slice(at);
        else if (r < 0.8) t = t.slice(0, at) + "q" + t.slice(at + 1);
        else if (at + 1 < t.length) t = t.slice(0, at) + t[at + 1] + t[at] + t.slice(at + 2);
      }
      const d = boundedEditDistance(w, t, 2);
      if (d <= 2) assert.ok(mayBeNear(w, t, d), `${w} ${t}`);
    }
  }
  assert.equal(mayBeNear("authentication", "zzzzzzzzzzzzzz", 2), false);
  assert.ok(mayBeNear("abcdefgh", "abcedfgh", 1)); // a swap across the cut
});
