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

Deno.test("postings: delete keeps the numbers ascending (binary search, later postings shifted); renumber maps them", () => {
  const p = new Posting("word");
  for (const n of [1, 4, 9, 16, 25, 36]) p.add(n, n * 2);
  p.delete(16);
  p.delete(7); // absent: no change
  p.delete(1);
  assertEquals([...p.nums.subarray(0, p.size)], [4, 9, 25, 36]);
  assertEquals([...p.packed.subarray(0, p.size)], [8, 18, 50, 72]);
  const map = new Int32Array(37).fill(-1);
  [4, 9, 25, 36].forEach((n, i) => map[n] = i);
  p.renumber(map);
  assertEquals([...p.nums.subarray(0, p.size)], [0, 1, 2, 3]);
});

Deno.test("search index: after many rewrites (numbers renumbered) it ranks exactly as an index built afresh", () => {
  const live = new SearchIndex();
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa"];
  const body = (i: number, v: number) =>
    Array.from({ length: 12 }, (_, k) => words[(i * 3 + v * 5 + k * k) % words.length]).join(" ") + ` n${i % 7}`;
  const current = new Map<string, string>();
  for (let i = 0; i < 60; i++) current.set(`P/${i}`, body(i, 0));
  for (const [path, b] of current) live.upsert({ path, title: path, body: b });
  // 1,000 rewrites and some removals: far past the numbers a renumbering tolerates.
  for (let v = 1; v <= 1000; v++) {
    const path = `P/${(v * 17) % 60}`;
    if (v % 50 === 0) {
      live.remove(path);
      current.delete(path);
    } else {
      current.set(path, body(v % 97, v));
      live.upsert({ path, title: path, body: current.get(path)! });
    }
  }
  const fresh = new SearchIndex();
  for (const [path, b] of current) fresh.upsert({ path, title: path, body: b });
  for (const q of ["alpha beta", "gamma", "n3 kappa", "zeta theta delta", "epsilo"]) {
    assertEquals(live.search(q, 100), fresh.search(q, 100), q);
    assertEquals(live.search(q, 100, { forgiving: false }), fresh.search(q, 100, { forgiving: false }), q);
  }
  assertEquals(live.size, current.size);
});
