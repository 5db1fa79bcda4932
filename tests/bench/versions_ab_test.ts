/**
 * bench/versions_ab.ts: the A/B ratio combines the two load orders (geometric mean of each run's ratio of medians),
 * so a bias toward the version loaded second cancels out.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { combinedRatio } from "../../bench/versions_ab.ts";

Deno.test("bench versions - a load-order bias cancels: b 10% dearer is read as 1.10 whatever loads second", () => {
  const rounds = (base: number) => [base * 0.98, base, base * 1.02, base * 1.5]; // one outlier round
  // The version loaded second pays 5% more: a loaded first sees b at 1.10 * 1.05, b loaded first sees 1.10 / 1.05.
  const c = combinedRatio({ a: rounds(100), b: rounds(110 * 1.05) }, { a: rounds(100 * 1.05), b: rounds(110) });
  assertOk(Math.abs(c.ratio - 1.1) < 1e-9, String(c.ratio));
  assertEquals(c.runs.map((r) => Number(r.toFixed(4))), [1.155, Number((110 / 105).toFixed(4))]);
});
