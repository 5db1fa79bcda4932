/**
 * The KV key registry (issue 10): every part registers its prefixes, no type is registered twice (createApp refuses
 * to start otherwise), and docs/kv-schema.md documents exactly the registered prefixes.
 */
import { assertEquals, assertThrows } from "../assert.ts";
import { checkKeyRegistry, KEY_PREFIXES } from "../../lib/platform/key_registry.ts";

/** Record types docs/kv-schema.md names as keys: the first part of every backticked key, e.g. `["page", …]`. */
async function documentedTypes(): Promise<Set<string>> {
  const doc = await Deno.readTextFile(new URL("../../docs/kv-schema.md", import.meta.url));
  return new Set([...doc.matchAll(/`\["([^"`]+)"/g)].map((m) => m[1]));
}

Deno.test("key registry - no type registered twice; a duplicate is refused with its name", () => {
  checkKeyRegistry();
  const types = KEY_PREFIXES.map((p) => p.type);
  assertEquals(new Set(types).size, types.length);
  const dup = { type: "page", scope: "wiki", description: "a second owner of page keys" } as const;
  assertThrows(() => checkKeyRegistry([...KEY_PREFIXES, dup]), Error, 'KV key prefix "page" is registered twice');
});

Deno.test("key registry - every registered prefix is documented in docs/kv-schema.md, and no other", async () => {
  const documented = await documentedTypes();
  const registered = new Set(KEY_PREFIXES.map((p) => p.type));
  assertEquals([...registered].filter((t) => !documented.has(t)).sort(), [], "registered but not documented");
  assertEquals([...documented].filter((t) => !registered.has(t)).sort(), [], "documented but not registered");
});

Deno.test("key registry - every prefix says whose data it holds and what it is", () => {
  for (const p of KEY_PREFIXES) {
    assertEquals(["wiki", "user", "global"].includes(p.scope), true, p.type);
    assertEquals(p.description.length > 10 && !p.description.includes("\n"), true, p.type);
  }
});
