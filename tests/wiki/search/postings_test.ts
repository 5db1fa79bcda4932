import { assertEquals } from "../../assert.ts";
import { Posting } from "../../../lib/wiki/search/postings.ts";
import { SearchIndex } from "../../../lib/wiki/search_index.ts";

Deno.test("postings: 2-byte frequencies widen without loss when one does not fit", () => {
  const p = new Posting("word");
  for (let i = 0; i < 10; i++) p.add(i, i * 2 + 1);
  assertEquals(p.packed instanceof Uint16Array, true);
  p.add(10, 200_001);
  assertEquals(p.packed instanceof Int32Array, true);
  assertEquals([...p.packed.subarray(0, p.size)], [...Array.from({ length: 10 }, (_, i) => i * 2 + 1), 200_001]);
  assertEquals([...p.nums.subarray(0, p.size)], Array.from({ length: 11 }, (_, i) => i));
});

Deno.test("postings: compact drops the spare capacity and the list grows again after it", () => {
  const p = new Posting("word");
  for (let i = 0; i < 5; i++) p.add(i, 2);
  assertEquals(p.nums.length, 8);
  p.compact();
  assertEquals([p.nums.length, p.packed.length], [5, 5]);
  p.add(5, 4);
  p.delete(2);
  assertEquals([...p.nums.subarray(0, p.size)].sort(), [0, 1, 3, 4, 5]);
});

Deno.test("search index: ranking and snippets are the same after compact, and later writes still index", () => {
  const idx = new SearchIndex();
  const body = (i: number) => `alpha beta ${"gamma ".repeat(i)} café naïve delta ${i}`;
  for (let i = 0; i < 40; i++) idx.upsert({ path: `P/${i}`, title: `Page ${i}`, body: body(i) });
  const before = idx.search("gamma café", 10);
  idx.compact();
  assertEquals(idx.search("gamma café", 10), before);
  idx.upsert({ path: "P/new", title: "New", body: "gamma gamma café unique" });
  assertEquals(idx.search("unique", 5).hits.map((h) => h.path), ["P/new"]);
  assertEquals(idx.search("unique", 5).hits[0].snippet.includes("café"), true);
});
