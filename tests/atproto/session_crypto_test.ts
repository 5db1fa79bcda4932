/**
 * ATProto states and sessions at rest (issue 9 item 11): sealed with AES-GCM under a key derived from the registry's
 * `session` secret, bound to their KV key; legacy plaintext values are read and sealed on their next write; a
 * rotated secret's values stay readable and are re-sealed under the new kid.
 */
import { JoseKey } from "@atproto/jwk-jose";
import type { Session } from "@atproto/oauth-client";
import { assertEquals, assertOk } from "../assert.ts";
import { loadKeyRing, rotateStoredKey } from "../../lib/keys.ts";
import { testConfig } from "../../lib/config.ts";
import { AtprotoKeys } from "../../lib/atproto/stores.ts";
import { atprotoSealer, kvSessionStore, kvStateStore } from "../../lib/atproto/stores.ts";
import { isSealed } from "../../lib/kv/sealed.ts";

const DID = "did:plc:alice00000000000000000000";
const OTHER = "did:plc:bob0000000000000000000000";
const REFRESH = "refresh-token-that-must-not-be-readable";
const ACCESS = "access-token-that-must-not-be-readable";

/** The private scalar `d` of a key's JWK. */
function dOf(key: JoseKey | Session["dpopKey"]): string {
  return (key.privateJwk as { d?: string } | undefined)?.d ?? "";
}

async function session(): Promise<Session> {
  const dpopKey = await JoseKey.generate(["ES256"]);
  return {
    dpopKey,
    authMethod: { method: "none" },
    tokenSet: {
      iss: "https://pds.test",
      sub: DID,
      aud: "https://pds.test",
      scope: "atproto",
      refresh_token: REFRESH,
      access_token: ACCESS,
      token_type: "DPoP",
    },
  } as Session;
}

async function setup(t = { now: Date.UTC(2026, 11, 1) }) {
  const kv = await Deno.openKv(":memory:");
  const clock = () => t.now;
  const keys = await loadKeyRing(kv, testConfig(), clock);
  return { kv, clock, keys };
}

Deno.test("atproto session at rest: no token and no private key in the stored value; it reads back", async () => {
  const { kv, clock, keys } = await setup();
  try {
    const store = kvSessionStore(kv, { now: clock, sealer: atprotoSealer(keys) });
    const s = await session();
    const d = dOf(s.dpopKey);
    await store.set(DID, s);
    const raw = (await kv.get(AtprotoKeys.atprotoSession(DID))).value;
    const text = JSON.stringify(raw, (_k, v) => v instanceof Uint8Array ? new TextDecoder().decode(v) : v);
    for (const secret of [REFRESH, ACCESS, d]) assertOk(!text.includes(secret), "a secret is readable at rest");
    assertOk(isSealed((raw as { sealed: unknown }).sealed), "stored sealed");
    const back = await store.get(DID);
    assertEquals(back?.tokenSet.refresh_token, REFRESH);
    assertEquals(back && dOf(back.dpopKey), d);
  } finally {
    kv.close();
  }
});

Deno.test("atproto state at rest: the DPoP private key is sealed", async () => {
  const { kv, clock, keys } = await setup();
  try {
    const store = kvStateStore(kv, { now: clock, sealer: atprotoSealer(keys) });
    const dpopKey = await JoseKey.generate(["ES256"]);
    await store.set("st1", { iss: "https://pds.test", dpopKey, verifier: "pkce-verifier-secret" } as never);
    const text = JSON.stringify((await kv.get(AtprotoKeys.atprotoState("st1"))).value);
    assertOk(!text.includes(dOf(dpopKey)) && !text.includes("pkce-verifier-secret"));
    const back = await store.get("st1");
    assertEquals(back && dOf(back.dpopKey), dOf(dpopKey));
  } finally {
    kv.close();
  }
});

Deno.test("atproto session at rest: a sealed value moved to another DID's record does not open", async () => {
  const { kv, clock, keys } = await setup();
  try {
    const store = kvSessionStore(kv, { now: clock, sealer: atprotoSealer(keys) });
    await store.set(DID, await session());
    const raw = await kv.get(AtprotoKeys.atprotoSession(DID));
    await kv.set(AtprotoKeys.atprotoSession(OTHER), raw.value);
    assertEquals(await store.get(OTHER), undefined);
    assertOk((await store.get(DID)) !== undefined);
  } finally {
    kv.close();
  }
});

Deno.test("atproto session at rest: a legacy plaintext value is read, then sealed on its next write", async () => {
  const { kv, clock, keys } = await setup();
  try {
    const s = await session();
    const { dpopKey, ...rest } = s;
    const legacy = { ...rest, dpopJwk: { ...dpopKey.privateJwk }, expiresAt: clock() + 60_000 };
    await kv.set(AtprotoKeys.atprotoSession(DID), legacy);
    const store = kvSessionStore(kv, { now: clock, sealer: atprotoSealer(keys) });
    const read = await store.get(DID);
    assertEquals(read?.tokenSet.refresh_token, REFRESH);
    await store.set(DID, read!);
    const raw = (await kv.get<{ sealed: unknown }>(AtprotoKeys.atprotoSession(DID))).value!;
    assertOk(isSealed(raw.sealed) && !JSON.stringify(raw).includes(REFRESH), "sealed after the write");
  } finally {
    kv.close();
  }
});

Deno.test("atproto session at rest: after a rotation old values open and are re-sealed under the new kid", async () => {
  const t = { now: Date.UTC(2026, 11, 1) };
  const { kv, clock, keys } = await setup(t);
  try {
    await kvSessionStore(kv, { now: clock, sealer: atprotoSealer(keys) }).set(DID, await session());
    const oldKid = (await kv.get<{ sealed: { kid: string } }>(AtprotoKeys.atprotoSession(DID))).value!.sealed.kid;
    t.now += 60_000;
    await rotateStoredKey(kv, "session", clock);
    const rotated = await loadKeyRing(kv, testConfig(), clock);
    const store = kvSessionStore(kv, { now: clock, sealer: atprotoSealer(rotated) });
    const read = await store.get(DID);
    assertEquals(read?.tokenSet.access_token, ACCESS);
    await store.set(DID, read!);
    const newKid = (await kv.get<{ sealed: { kid: string } }>(AtprotoKeys.atprotoSession(DID))).value!.sealed.kid;
    assertOk(newKid !== oldKid && newKid === rotated.secret("session").kid, `${oldKid} -> ${newKid}`);
    // A value sealed under a secret the registry no longer keeps reads as absent (sign in again), not an error.
    const otherKv = await Deno.openKv(":memory:");
    try {
      const fresh = await loadKeyRing(otherKv, testConfig(), clock);
      assertEquals(await kvSessionStore(kv, { now: clock, sealer: atprotoSealer(fresh) }).get(DID), undefined);
    } finally {
      otherKv.close();
    }
  } finally {
    kv.close();
  }
});
