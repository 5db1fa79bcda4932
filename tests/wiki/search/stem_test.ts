import assert from "node:assert/strict";
import { stem } from "../../../lib/wiki/search/stem.ts";

Deno.test("stem - Porter's published examples", () => {
  const cases: [string, string][] = [
    ["caresses", "caress"],
    ["ponies", "poni"],
    ["cats", "cat"],
    ["feed", "feed"],
    ["agreed", "agre"],
    ["plastered", "plaster"],
    ["motoring", "motor"],
    ["sing", "sing"],
    ["hopping", "hop"],
    ["falling", "fall"],
    ["hissing", "hiss"],
    ["failing", "fail"],
    ["filing", "file"],
    ["happy", "happi"],
    ["relational", "relat"],
    ["conditional", "condit"],
    ["rational", "ration"],
    ["generalizations", "gener"],
    ["oscillators", "oscil"],
    ["hopeful", "hope"],
    ["goodness", "good"],
    ["adjustable", "adjust"],
    ["effective", "effect"],
    ["communism", "commun"],
    ["replacement", "replac"],
    ["adoption", "adopt"],
  ];
  for (const [word, expected] of cases) assert.equal(stem(word), expected, word);
});

Deno.test("stem - inflections of a word share a stem", () => {
  for (const w of ["connect", "connects", "connected", "connecting", "connection", "connections"]) {
    assert.equal(stem(w), "connect", w);
  }
  assert.equal(stem("baking"), stem("bakes"));
  assert.equal(stem("authenticate"), stem("authenticated"));
});

Deno.test("stem - short words, digits and other scripts are left alone", () => {
  for (const w of ["a", "is", "2026", "v2", "café", "日本語", "naïve"]) assert.equal(stem(w), w);
});
