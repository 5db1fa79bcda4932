import { createHmac } from "node:crypto";
import { assertEquals, assertOk, assertRejects } from "./assert.ts";
import {
  describeKeys,
  generateKeysJson,
  KEY_NAMES,
  type KeyRing,
  loadKeyRing,
  rotateStoredKey,
  type StoredKey,
} from "../lib/keys.ts";
import { testConfig } from "../lib/config.ts";
import { SecretKeys } from "../lib/keys.ts";
import { base64url } from "../lib/ids.ts";
import { renderKeys } from "../scripts/gen_keys.ts";

const KID = /^[a-z-]+-\d{8}-[0-9a-f]{4}$/;
const dev = testConfig();

/** Every observable of a ring: kids, HMACs and key material, for comparing two loads. */
async function fingerprint(ring: KeyRing) {
  const out: Record<string, unknown> = {};
  for (const name of KEY_NAMES) {
    if (name === "atproto-client") out[name] = ring.atprotoClientKey();
    else out[name] = { ...ring.secret(name), mac: await ring.hmac(name, "x") };
  }
  return out;
}

/** A full ROBOT_KEYS object with fixed secrets: byte `i + 1` repeated for the i-th symmetric key. */
async function fixedKeys(): Promise<Record<string, unknown>> {
  const keys = await generateKeysJson(Date.UTC(2026, 10, 26));
  let i = 1;
  for (const name of KEY_NAMES) {
    if (name === "atproto-client") continue;
    keys[name] = { current: { kid: `${name}-fixed`, secret: base64url(new Uint8Array(32).fill(i++)) }, previous: [] };
  }
  return keys;
}

const nodeHmac = (bytes: Uint8Array, data: string) => createHmac("sha256", bytes).update(data).digest("hex");

Deno.test("keys - development: generated on first load, persisted in KV, identical on reload", async () => {
  using kv = await Deno.openKv(":memory:");
  const first = await loadKeyRing(kv, dev);
  for (const name of KEY_NAMES) {
    const stored = (await kv.get<StoredKey>(SecretKeys.secret(name))).value;
    assertOk(stored, `${name} stored`);
    assertOk(KID.test(stored.current.kid) && stored.current.kid.startsWith(name + "-"), stored.current.kid);
    assertEquals(stored.previous, []);
  }
  assertEquals(first.secret("csrf").bytes.length, 32);
  const second = await loadKeyRing(kv, dev);
  assertEquals(await fingerprint(second), await fingerprint(first));
  // Different stores get different keys.
  using other = await Deno.openKv(":memory:");
  const third = await loadKeyRing(other, dev);
  assertOk(third.secret("session").kid !== first.secret("session").kid);
  assertOk((await third.hmac("session", "x")) !== (await first.hmac("session", "x")));
});

Deno.test("keys - hmac is HMAC-SHA256 hex of the current secret (checked against node:crypto)", async () => {
  using kv = await Deno.openKv(":memory:");
  const ring = await loadKeyRing(kv, dev);
  const { bytes } = ring.secret("token-hash");
  assertEquals(await ring.hmac("token-hash", "tok_abc"), nodeHmac(bytes, "tok_abc"));
  assertOk((await ring.hmac("csrf", "tok_abc")) !== (await ring.hmac("token-hash", "tok_abc")));
});

Deno.test("keys - production: read from ROBOT_KEYS JSON, KV untouched", async () => {
  using kv = await Deno.openKv(":memory:");
  const json = await fixedKeys();
  const ring = await loadKeyRing(kv, testConfig({ env: "production", keysJson: JSON.stringify(json) }));
  assertEquals(ring.secret("session").kid, "session-fixed");
  assertEquals(ring.secret("session").bytes, new Uint8Array(32).fill(2));
  assertEquals(await ring.hmac("session", "abc"), nodeHmac(new Uint8Array(32).fill(2), "abc"));
  const a = json["atproto-client"] as { kid: string; privateJwk: JsonWebKey };
  assertEquals(ring.atprotoClientKey().kid, a.kid);
  assertEquals(ring.atprotoClientKey().privateJwk.d, a.privateJwk.d);
  assertEquals(await kv.get(SecretKeys.secret("session")), {
    key: SecretKeys.secret("session"),
    value: null,
    versionstamp: null,
  });
});

Deno.test("keys - production: missing keys stop the start with their names", async () => {
  using kv = await Deno.openKv(":memory:");
  const json = await fixedKeys();
  delete json["csrf"];
  delete json["atproto-client"];
  await assertRejects(
    () => loadKeyRing(kv, testConfig({ env: "production", keysJson: JSON.stringify(json) })),
    Error,
    "ROBOT_KEYS is missing keys: csrf, atproto-client. Add them (`deno run scripts/gen_keys.ts` prints a complete " +
      "set) and restart.",
  );
  await assertRejects(
    () => loadKeyRing(kv, testConfig({ env: "production", keysJson: null })),
    Error,
    "production needs ROBOT_KEYS",
  );
  await assertRejects(
    () => loadKeyRing(kv, testConfig({ env: "production", keysJson: "{not json" })),
    Error,
    "ROBOT_KEYS is not valid JSON",
  );
});

Deno.test("keys - production: a short secret or a broken JWK is named in the error", async () => {
  using kv = await Deno.openKv(":memory:");
  const json = await fixedKeys();
  json["csrf"] = { current: { kid: "c1", secret: base64url(new Uint8Array(16)) } };
  json["atproto-client"] = { kid: "a1", privateJwk: { kty: "EC", crv: "P-384", x: "a", y: "b", d: "c" } };
  const err = await assertRejects(
    () => loadKeyRing(kv, testConfig({ env: "production", keysJson: JSON.stringify(json) })),
    Error,
    "ROBOT_KEYS has invalid keys: csrf.current secret has 16 bytes, needs at least 32; atproto-client.privateJwk",
  );
  assertOk(!err.message.includes("AAAA"), "the error does not echo secret material");
});

Deno.test("keys - hmacAll: current first, then every previous secret", async () => {
  using kv = await Deno.openKv(":memory:");
  const json = await fixedKeys();
  const old1 = new Uint8Array(32).fill(0xa1);
  const old2 = new Uint8Array(32).fill(0xa2);
  json["csrf"] = {
    current: { kid: "csrf-new", secret: base64url(new Uint8Array(32).fill(7)) },
    previous: [{ kid: "csrf-old1", secret: base64url(old1) }, { kid: "csrf-old2", secret: base64url(old2) }],
  };
  const ring = await loadKeyRing(kv, testConfig({ env: "production", keysJson: JSON.stringify(json) }));
  const all = await ring.hmacAll("csrf", "form:1");
  assertEquals(all, [
    nodeHmac(new Uint8Array(32).fill(7), "form:1"),
    nodeHmac(old1, "form:1"),
    nodeHmac(old2, "form:1"),
  ]);
  assertEquals(all[0], await ring.hmac("csrf", "form:1"));
  assertEquals(ring.secret("csrf").kid, "csrf-new");
  assertEquals((await ring.hmacAll("session", "form:1")).length, 1);
});

Deno.test("keys - two concurrent first loads on one KV agree on one key set", async () => {
  using kv = await Deno.openKv(":memory:");
  const rings = await Promise.all([loadKeyRing(kv, dev), loadKeyRing(kv, dev), loadKeyRing(kv, dev)]);
  const [a, b, c] = await Promise.all(rings.map(fingerprint));
  assertEquals(b, a);
  assertEquals(c, a);
});

Deno.test("keys - a KV file keeps the keys across restarts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kv1 = await Deno.openKv(`${dir}/k.kv`);
    const first = await fingerprint(await loadKeyRing(kv1, dev));
    kv1.close();
    const kv2 = await Deno.openKv(`${dir}/k.kv`);
    const second = await fingerprint(await loadKeyRing(kv2, dev));
    kv2.close();
    assertEquals(second, first);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keys - atproto client key: public JWK has no d, has kid/alg/use, verifies the private key's signature", async () => {
  using kv = await Deno.openKv(":memory:");
  const { kid, privateJwk, publicJwk } = (await loadKeyRing(kv, dev)).atprotoClientKey();
  assertEquals(Object.keys(publicJwk).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
  assertEquals({ ...publicJwk, x: "", y: "" }, {
    kty: "EC",
    crv: "P-256",
    x: "",
    y: "",
    kid,
    alg: "ES256",
    use: "sig",
  });
  assertOk(typeof privateJwk.d === "string" && privateJwk.d.length > 0);
  assertEquals(privateJwk.key_ops, undefined);
  const algo = { name: "ECDSA", namedCurve: "P-256" };
  const priv = await crypto.subtle.importKey("jwk", privateJwk, algo, false, ["sign"]);
  const pub = await crypto.subtle.importKey("jwk", publicJwk, algo, false, ["verify"]);
  const data = new TextEncoder().encode("assertion");
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, data);
  assertOk(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, data));
});

Deno.test("keys - describeKeys lists every key with purpose, kind and kid, no secrets", async () => {
  using kv = await Deno.openKv(":memory:");
  const ring = await loadKeyRing(kv, dev);
  const list = describeKeys(ring);
  assertEquals(list.map((k) => k.name), [...KEY_NAMES]);
  assertEquals(list.map((k) => k.kind), [
    "hmac-sha256",
    "hmac-sha256",
    "hmac-sha256",
    "es256",
  ]);
  assertEquals(list[0].kid, ring.secret("token-hash").kid);
  assertEquals(list[3].kid, ring.atprotoClientKey().kid);
  const text = JSON.stringify(list);
  assertOk(!text.includes(base64url(ring.secret("session").bytes)));
  assertOk(!text.includes(ring.atprotoClientKey().privateJwk.d!));
});

Deno.test("keys - rotateStoredKey keeps old csrf and session secrets for verification", async () => {
  using kv = await Deno.openKv(":memory:");
  let t = Date.UTC(2026, 10, 1);
  const clock = () => t;
  const before = await loadKeyRing(kv, dev, clock);
  const oldCsrf = await before.hmac("csrf", "f");
  t += 60_000;
  await rotateStoredKey(kv, "csrf", clock);
  await rotateStoredKey(kv, "session", clock);
  const after = await loadKeyRing(kv, dev, clock);
  assertOk(after.secret("csrf").kid !== before.secret("csrf").kid);
  assertEquals((await after.hmacAll("csrf", "f"))[1], oldCsrf);
  assertEquals((await after.hmacAll("csrf", "f")).length, 2);
  // Sessions outlive a rotation (kept 30 days, the session lifetime): nobody is signed out by it.
  assertEquals((await after.hmacAll("session", "f")).length, 2);
  // Two days later the retired csrf secret (kept 1 day) is dropped at the next rotation.
  t += 2 * 24 * 60 * 60 * 1000;
  await rotateStoredKey(kv, "csrf", clock);
  assertEquals((await (await loadKeyRing(kv, dev, clock)).hmacAll("csrf", "f")).length, 2);
  assertEquals(((await kv.get<StoredKey>(SecretKeys.secret("csrf"))).value!).previous.length, 1);
});

Deno.test("keys - gen_keys prints a ROBOT_KEYS value that loads in production", async () => {
  using kv = await Deno.openKv(":memory:");
  const text = await renderKeys(false);
  assertOk(!text.includes("\n"), "one line, for an environment variable");
  const ring = await loadKeyRing(kv, testConfig({ env: "production", keysJson: text }));
  assertEquals(describeKeys(ring).length, 4);
});
