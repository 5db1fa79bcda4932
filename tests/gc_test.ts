/** lib/gc.ts: a full collection when V8 exposes `gc` (--expose-gc), nothing otherwise. */
import { assertEquals } from "./assert.ts";
import { collectGarbage } from "../lib/gc.ts";

Deno.test("gc - collectGarbage calls the exposed gc, and does nothing without one", () => {
  const g = globalThis as { gc?: () => void };
  const saved = g.gc;
  try {
    let calls = 0;
    g.gc = () => void calls++;
    assertEquals(collectGarbage(), true);
    assertEquals(calls, 1);
    delete g.gc;
    assertEquals(collectGarbage(), false);
  } finally {
    if (saved) g.gc = saved;
    else delete g.gc;
  }
});
