/**
 * The structured-output helpers of the hot path (lib/mcp/output.ts, lib/mcp/format.ts): `jsonLengthBound` never
 * under-counts the JSON it stands for (so `fitData` and `capItems` skip building JSON only for values within the
 * budget), `fitData` and `capItems` answer as they did with JSON, and `titleCase` (frontmatter keys of read_note)
 * matches the regular expression it replaced. The server registers the output schemas without validating each
 * result again (lib/mcp/server.ts `trustedOutputSchema`): every data tool's structured content is checked against
 * its schema by tests/mcp/structured_test.ts, which this file checks covers every such tool.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { capItems, fitData, jsonLengthBound, OUTPUT } from "../../lib/mcp/output.ts";
import { frontmatterLine, titleCase } from "../../lib/mcp/format.ts";
import { trustedOutputSchema, WIKI_TOOLS } from "../../lib/mcp/server.ts";
import { STRUCTURED_CALLS } from "./structured_calls.ts";

/** A small deterministic generator (the tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CHARS = [
  "a",
  "Z",
  "9",
  " ",
  "_",
  '"',
  "\\",
  "\n",
  "\u0001",
  "\u001f",
  "é",
  "ß",
  "\u2028",
  "\ud83d\ude00",
  "\ud800",
];

function randomString(r: () => number, max: number): string {
  let s = "";
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (k) {
    case 0:
      return randomString(r, 40);
    case 1:
      return [0, -1.2345678901234567e-308, 1e21, 3.5, -0, NaN, Infinity, 2 ** 53][Math.floor(r() * 8)];
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return new Date(Math.floor(r() * 4e12));
    case 6:
      return Array.from({ length: Math.floor(r() * 6) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 6); i > 0; i--) o[randomString(r, 12)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

Deno.test("jsonLengthBound is never below the JSON's length, and past a limit it says so", () => {
  const r = rng(7);
  for (let i = 0; i < 3000; i++) {
    const v = { data: randomValue(r, 0) };
    const actual = JSON.stringify(v).length;
    const bound = jsonLengthBound(v, Infinity);
    assertOk(bound >= actual, `bound ${bound} < ${actual} for ${JSON.stringify(v)}`);
    const limit = Math.floor(r() * actual * 2);
    const cut = jsonLengthBound(v, limit);
    assertOk(cut <= limit ? cut >= actual : actual > limit || bound > limit, `limit ${limit}: ${cut} vs ${actual}`);
  }
  assertEquals(jsonLengthBound({ toJSON: () => "x" }, 100), Infinity);
  assertEquals(jsonLengthBound([1n], 100), Infinity);
});

Deno.test("fitData and capItems give what they gave by measuring JSON", () => {
  const r = rng(11);
  for (let i = 0; i < 500; i++) {
    const items = Array.from({ length: Math.floor(r() * 30) }, () => randomString(r, 30));
    const max = Math.floor(r() * 600);
    const byJson: string[] = [];
    let used = 2;
    for (const item of items) {
      const n = JSON.stringify(item).length + 1;
      if (used + n > max) break;
      used += n;
      byJson.push(item);
    }
    assertEquals(capItems(items, max), byJson);
    const data = { path: "A", content: randomString(r, 400), links: items };
    const budget = Math.floor(r() * 3000) + 50;
    const fitted = fitData(data, budget);
    if (JSON.stringify(data).length <= budget) assertOk(fitted === data, "a value within the budget is kept as it is");
    else assertEquals(fitted.truncated, true);
  }
});

Deno.test("titleCase matches the regular expression it replaced, and frontmatterLine uses it", () => {
  const old = (key: string) => key.replaceAll("_", " ").replace(/\b\w/g, (c) => c.toUpperCase());
  const r = rng(3);
  const keys = ["", "tags", "created_at", "x-ray", "a1b2", "über_café", "9lives", "_lead", "trail_", "Mixed CASE"];
  for (let i = 0; i < 500; i++) keys.push(randomString(r, 16));
  for (const k of keys) assertEquals(titleCase(k), old(k), JSON.stringify(k));
  assertEquals(
    frontmatterLine({ title: "T", created_at: "2026-01-01", tags: ["a", "b"] }),
    "Created At: 2026-01-01 | Tags: a, b",
  );
});

Deno.test("every tool with an output schema is called by the structured-output test, and registered trusted", () => {
  const declared = WIKI_TOOLS.filter((t) => t.output !== undefined).map((t) => t.name).sort();
  assertEquals(declared, Object.keys(OUTPUT).sort());
  assertEquals([...new Set(STRUCTURED_CALLS.map(([name]) => name))].sort(), declared);
  for (const t of WIKI_TOOLS) if (t.output) assertOk(t.output === OUTPUT[t.name as keyof typeof OUTPUT], t.name);
  // Trusted: the value is taken as it is (the checks are the tests'), the JSON Schema is the tool's.
  const schema = trustedOutputSchema(OUTPUT.search)["~standard"];
  assertEquals(schema.validate({ results: 1 }), { value: { results: 1 } });
  assertEquals(
    schema.jsonSchema.output({ target: "draft-2020-12" }),
    OUTPUT.search["~standard"].jsonSchema.output({ target: "draft-2020-12" }),
  );
});
