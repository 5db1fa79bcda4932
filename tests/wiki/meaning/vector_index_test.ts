/** The catalog's vector index: cosine ranking, removal and slot reuse, exclusion, a model's vectors per model. */
import { assertEquals, assertOk } from "../../assert.ts";
import { encodeVector } from "../../../lib/wiki/meaning/vector_store.ts";
import { STATIC_MODEL, VectorIndex } from "../../../lib/wiki/meaning/vector_index.ts";

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};

Deno.test("vector index: best first, min score, exclude, remove and reuse, models apart", () => {
  const ix = new VectorIndex();
  const page = (path: string, v: Float32Array) => ix.upsert(path, { title: path, body: "", revision: "r" }, [], v);
  page("A", unit(1, 0, 0));
  page("B", unit(1, 1, 0));
  page("C", unit(0, 1, 0));
  page("D", unit(-1, 0, 0));
  const q = unit(1, 0.1, 0);
  assertEquals(ix.search(q, 10).map((h) => h.path), ["A", "B", "C", "D"]);
  assertEquals(ix.search(q, 2).map((h) => h.path), ["A", "B"]);
  assertEquals(ix.search(q, 10, { minScore: 0.5 }).map((h) => h.path), ["A", "B"]);
  assertEquals(ix.search(q, 10, { exclude: new Set(["A"]) }).map((h) => h.path), ["B", "C", "D"]);
  ix.remove("A");
  assertEquals(ix.count(), 3);
  page("E", unit(0, 0, 1)); // reuses A's slot
  assertEquals(ix.search(unit(0, 0, 1), 1)[0].path, "E");
  assertEquals(ix.search(q, 10).map((h) => h.path).includes("A"), false);
  page("B", unit(0, 0, 1)); // replaced in place
  assertEquals(ix.search(unit(0, 0, 1), 2).map((h) => h.path), ["B", "E"]);
  ix.set("remote:test", "C", unit(1, 2));
  assertEquals(ix.search(unit(1, 2), 5, { model: "remote:test" }).map((h) => h.path), ["C"]);
  assertEquals(ix.search(unit(1, 2), 5).length, 0, "a query of another dimension matches nothing");
  assertEquals([...ix.vectorOf("E", STATIC_MODEL)!], [...unit(0, 0, 1)]);
  for (let i = 0; i < 200; i++) page(`P${i}`, unit(1, i, 0)); // grows past the first slab
  assertEquals(ix.count(), 204);
  assertEquals(ix.search(unit(1, 0, 0), 1)[0].path, "P0");
  assertEquals(ix.search(unit(0, 1, 0), 1).map((h) => h.path), ["C"]);
  // Kept as int8 (as stored): P85..P199 all quantise to (1, 127, 0), so they tie and are ordered by path.
  assertEquals(ix.search(unit(0, 1, 0), 3).map((h) => h.path), ["C", "P100", "P101"]);
});

Deno.test("vector index: int8 vectors in memory score within 0.01 of the float cosine, stored or computed", () => {
  const ix = new VectorIndex();
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const vecs = Array.from({ length: 300 }, () => unit(...Array.from({ length: 100 }, rand)));
  vecs.forEach((v, i) => {
    const stored = i % 2 === 0 ? [encodeVector(STATIC_MODEL, "r", v)] : [];
    ix.upsert(`P${i}`, { title: "", body: "", revision: "r" }, stored, i % 2 === 0 ? undefined : v);
  });
  const q = vecs[0].map((x, d) => x + vecs[1][d]);
  const query = unit(...q);
  const hits = ix.search(query, 300);
  assertEquals(hits.length, 300);
  for (const h of hits) {
    const v = vecs[Number(h.path.slice(1))];
    const exact = v.reduce((s, x, d) => s + x * query[d], 0);
    assertOk(Math.abs(h.score - exact) < 0.01, `${h.path}: ${h.score} vs ${exact}`);
  }
  assertEquals(hits.slice(0, 2).map((h) => h.path).sort(), ["P0", "P1"]);
});
