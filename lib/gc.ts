/**
 * @module
 * A full garbage collection on request, for the end of bulk work whose garbage would otherwise wait for V8's own
 * timing. V8 lets dead ArrayBuffers' memory (the search index's typed arrays, KV values) pile up until external
 * memory grows by 64 MB before it collects, and the allocator keeps what it gave back: a 10,000-page catalog rebuild
 * peaked ~40 MB higher without these collections. Works when V8 exposes `gc` (`--expose-gc`: `deno task start` and
 * `dev` pass it, see README); elsewhere (a platform that takes no V8 flags) it does nothing.
 */

/** Runs a full garbage collection when the runtime exposes one; true when it ran. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  gc();
  return true;
}
