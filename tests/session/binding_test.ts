/**
 * lib/session/binding.ts: sign and verify, refusals (another value, another purpose, tampered, empty, oversized),
 * key rotation (a binding made under the previous secret verifies until that secret is dropped), and the layout
 * that keeps bindings made before this module valid (HMAC of `purpose\nvalue` under the "csrf" key).
 */
import { assertEquals, assertOk } from "../assert.ts";
import { BINDING_SHAPE, keyedBinding, matchesAny } from "../../lib/session/binding.ts";
import { generateKeysJson, loadKeyRing } from "../../lib/keys.ts";
import { testConfig } from "../../lib/config.ts";

type KeysJson = Record<string, { current: unknown; previous: unknown[] }>;

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("binding - a signed value verifies; another value, purpose or a tampered binding does not", async () => {
  await withKv(async (kv) => {
    const keys = await loadKeyRing(kv, testConfig());
    const login = keyedBinding(keys, "login-binding");
    const b = await login.sign("nonce-aaaaaaaaaaaaaaaa");
    assertOk(BINDING_SHAPE.test(b), `hex HMAC-SHA256, got ${b}`);
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", b), true);
    assertEquals(await login.verify("nonce-bbbbbbbbbbbbbbbb", b), false, "another value");
    assertEquals(await keyedBinding(keys, "handoff-binding").verify("nonce-aaaaaaaaaaaaaaaa", b), false, "purpose");
    const flipped = (b[0] === "0" ? "1" : "0") + b.slice(1);
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", flipped), false, "tampered first character");
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", b.slice(0, -1)), false, "truncated");
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", b.toUpperCase()), false, "not the same string");
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", b + "0".repeat(100)), false, "oversized");
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", ""), false);
    assertEquals(await login.verify("nonce-aaaaaaaaaaaaaaaa", null), false);
    assertEquals(await login.verify("", await login.sign("")), false, "an empty value binds nothing");
    assertEquals(await login.verify(null, b), false);
  });
});

Deno.test("binding - another key of the registry gives another binding", async () => {
  await withKv(async (kv) => {
    const keys = await loadKeyRing(kv, testConfig());
    const csrf = keyedBinding(keys, "p");
    const session = keyedBinding(keys, "p", "session");
    const b = await csrf.sign("v");
    assertOk(b !== (await session.sign("v")));
    assertEquals(await session.verify("v", b), false);
  });
});

Deno.test("binding - the layout is HMAC(csrf, purpose\\nvalue): bindings made before this module still verify", async () => {
  await withKv(async (kv) => {
    const keys = await loadKeyRing(kv, testConfig());
    const made = await keys.hmac("csrf", "login-binding\nnonce-1234567890abcdef");
    assertEquals(await keyedBinding(keys, "login-binding").sign("nonce-1234567890abcdef"), made);
    assertEquals(await keyedBinding(keys, "login-binding").verify("nonce-1234567890abcdef", made), true);
  });
});

Deno.test("binding - rotation: a binding from the previous secret verifies; dropping that secret refuses it", async () => {
  await withKv(async (kv) => {
    const json = await generateKeysJson() as KeysJson;
    const before = await loadKeyRing(kv, testConfig({ keysJson: JSON.stringify(json) }));
    const old = await keyedBinding(before, "handoff-binding").sign("nonce-x");
    const fresh = await generateKeysJson() as KeysJson;
    const rotated = { ...json, csrf: { current: fresh.csrf.current, previous: [json.csrf.current] } };
    const after = await loadKeyRing(kv, testConfig({ keysJson: JSON.stringify(rotated) }));
    const binding = keyedBinding(after, "handoff-binding");
    const now = await binding.sign("nonce-x");
    assertOk(now !== old, "really rotated");
    assertEquals(await binding.verify("nonce-x", old), true, "previous secret");
    assertEquals(await binding.verify("nonce-x", now), true, "current secret");
    assertEquals(await binding.candidates("nonce-x"), [now, old], "current first");
    const dropped = await loadKeyRing(
      kv,
      testConfig({ keysJson: JSON.stringify({ ...json, csrf: { current: fresh.csrf.current, previous: [] } }) }),
    );
    assertEquals(await keyedBinding(dropped, "handoff-binding").verify("nonce-x", old), false);
    assertEquals(await keyedBinding(dropped, "handoff-binding").verify("nonce-x", now), true);
  });
});

Deno.test("binding - matchesAny finds the value among candidates, and nothing in an empty list", () => {
  assertEquals(matchesAny("b", ["a", "b", "c"]), true);
  assertEquals(matchesAny("b", ["a", "c"]), false);
  assertEquals(matchesAny("b", []), false);
  assertEquals(matchesAny("", ["a"]), false);
});
