/**
 * lib/session/sessions.ts with an injected clock: session expiry, child sessions expiring with their parent,
 * hand-off and login-transfer codes (expiry, single use under concurrency, origin binding), sign-out of a family,
 * and key rotation of the `session` HMAC key (nobody is signed out). Also lib/session/csrf.ts refusals.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { createSessions, HANDOFF_TTL_MS, SESSION_TTL_MS, TRANSFER_TTL_MS } from "../../lib/session/sessions.ts";
import { generateKeysJson, loadKeyRing } from "../../lib/keys.ts";
import { testConfig } from "../../lib/config.ts";
import { csrfToken, verifyCsrf } from "../../lib/session/csrf.ts";

const USER = { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", handle: "alice.test", displayName: null };
const P = "http://localhost:8000";
const W = "http://alice.localhost:8000";

async function fixture() {
  const kv = await Deno.openKv(":memory:");
  const keys = await loadKeyRing(kv, testConfig());
  let t = 1_800_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => t += ms };
  const sessions = createSessions({ kv, keys, now: clock.now });
  return { kv, keys, clock, sessions };
}

Deno.test("sessions - a session expires after SESSION_TTL_MS; its children expire with it", async () => {
  const { kv, clock, sessions } = await fixture();
  try {
    const { id, record } = await sessions.create(USER, P);
    assertEquals(record.expiresAt - record.createdAt, SESSION_TTL_MS);
    const code = (await sessions.createHandoff(id, W, `${W}/`))!;
    const child = (await sessions.redeemHandoff(code, W))!;
    assertEquals(child.record.expiresAt, record.expiresAt, "child expires with its parent");
    assertEquals(child.record.parent !== null, true);
    clock.advance(SESSION_TTL_MS - 1);
    assertOk(await sessions.get(id, P));
    assertOk(await sessions.get(child.id, W));
    assertEquals(await sessions.get(id, W), null, "a cookie is only good on its own origin");
    clock.advance(1);
    assertEquals(await sessions.get(id, P), null);
    assertEquals(await sessions.get(child.id, W), null);
    assertEquals(await sessions.createHandoff(id, W, `${W}/`), null, "an expired session mints nothing");
  } finally {
    kv.close();
  }
});

Deno.test("sessions - hand-off codes: expire after HANDOFF_TTL_MS, single use even when redeemed concurrently", async () => {
  const { kv, clock, sessions } = await fixture();
  try {
    const { id } = await sessions.create(USER, P);
    const old = (await sessions.createHandoff(id, W, `${W}/`))!;
    clock.advance(HANDOFF_TTL_MS);
    assertEquals(await sessions.redeemHandoff(old, W), null, "expired");
    const code = (await sessions.createHandoff(id, W, `${W}/x`))!;
    const results = await Promise.all([1, 2, 3, 4].map(() => sessions.redeemHandoff(code, W)));
    assertEquals(results.filter((r) => r !== null).length, 1);
    assertEquals(results.find((r) => r !== null)!.returnTo, `${W}/x`);
    // A child cannot mint hand-offs of its own (only the platform session can).
    const c2 = (await sessions.createHandoff(id, W, `${W}/`))!;
    const child = (await sessions.redeemHandoff(c2, W))!;
    assertEquals(
      await sessions.createHandoff(child.id, "http://bob.localhost:8000", "http://bob.localhost:8000/"),
      null,
    );
    assertEquals(await sessions.redeemHandoff("", W), null);
    assertEquals(await sessions.redeemHandoff("x".repeat(500), W), null);
  } finally {
    kv.close();
  }
});

Deno.test("sessions - login transfer: bound to its target origin, single use, expires after TRANSFER_TTL_MS", async () => {
  const { kv, clock, sessions } = await fixture();
  try {
    const code = await sessions.createTransfer(USER, P, `${P}/app/`, "binding-1");
    assertEquals(await sessions.redeemTransfer(code, "http://127.0.0.1:8000"), null, "wrong origin");
    assertEquals(await sessions.redeemTransfer(code, P), null, "consumed by the wrong-origin attempt");
    const c2 = await sessions.createTransfer(USER, P, `${P}/app/`, "binding-2");
    assertEquals(await sessions.redeemTransfer(c2, P), { user: USER, returnTo: `${P}/app/`, binding: "binding-2" });
    assertEquals(await sessions.redeemTransfer(c2, P), null);
    const c3 = await sessions.createTransfer(USER, P, "", "b");
    clock.advance(TRANSFER_TTL_MS);
    assertEquals(await sessions.redeemTransfer(c3, P), null);
  } finally {
    kv.close();
  }
});

Deno.test("sessions - destroyFamily from a child signs out the parent and every sibling", async () => {
  const { kv, sessions } = await fixture();
  try {
    const { id } = await sessions.create(USER, P);
    const a = (await sessions.redeemHandoff((await sessions.createHandoff(id, W, `${W}/`))!, W))!;
    const bobW = "http://bob.localhost:8000";
    const b = (await sessions.redeemHandoff((await sessions.createHandoff(id, bobW, `${bobW}/`))!, bobW))!;
    await sessions.destroyFamily(a.id);
    assertEquals(await sessions.get(a.id, W), null);
    assertEquals(await sessions.get(id, P), null);
    assertEquals(await sessions.get(b.id, bobW), null);
    assertEquals(await sessions.destroyFamily(a.id), null);
  } finally {
    kv.close();
  }
});

Deno.test("sessions - rotating the session HMAC key signs nobody out (previous secrets are read)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const json = await generateKeysJson() as Record<string, { current: unknown; previous: unknown[] }>;
    const before = await loadKeyRing(kv, testConfig({ keysJson: JSON.stringify(json) }));
    const s1 = createSessions({ kv, keys: before });
    const { id } = await s1.create(USER, P);
    const code = (await s1.createHandoff(id, W, `${W}/`))!;
    const fresh = await generateKeysJson() as Record<string, { current: unknown; previous: unknown[] }>;
    const rotated = { ...json, session: { current: fresh.session.current, previous: [json.session.current] } };
    const after = await loadKeyRing(kv, testConfig({ keysJson: JSON.stringify(rotated) }));
    assertOk((await after.hmac("session", "x")) !== (await before.hmac("session", "x")), "really rotated");
    const s2 = createSessions({ kv, keys: after });
    assertEquals((await s2.get(id, P))?.did, USER.did, "old session still valid");
    const child = await s2.redeemHandoff(code, W);
    assertOk(child, "a code minted before the rotation still redeems");
    assertOk(await s2.get(child.id, W));
    assertOk(await s2.createHandoff(id, W, `${W}/`), "the old session can still mint");
    assertOk(await s2.destroy(id), "and be signed out");
    assertEquals(await s2.get(child.id, W), null);
    // Dropping the previous secret ends sessions made under it (the documented way to force sign-out).
    const { id: id2 } = await s1.create(USER, P);
    const dropped = await loadKeyRing(
      kv,
      testConfig({
        keysJson: JSON.stringify({ ...rotated, session: { current: fresh.session.current, previous: [] } }),
      }),
    );
    assertEquals(await createSessions({ kv, keys: dropped }).get(id2, P), null);
  } finally {
    kv.close();
  }
});

Deno.test("csrf - tokens are refused for another binding, another purpose, empty or oversized input", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const keys = await loadKeyRing(kv, testConfig());
    const token = await csrfToken(keys, "session-1", "logout");
    assertEquals(await verifyCsrf(keys, "session-1", "logout", token), true);
    assertEquals(await verifyCsrf(keys, "session-2", "logout", token), false);
    assertEquals(await verifyCsrf(keys, "session-1", "signup", token), false);
    assertEquals(await verifyCsrf(keys, "session-1", "logout", ""), false);
    assertEquals(await verifyCsrf(keys, "session-1", "logout", null), false);
    assertEquals(await verifyCsrf(keys, "", "logout", token), false);
    assertEquals(await verifyCsrf(keys, "session-1", "logout", token + "0".repeat(100)), false);
  } finally {
    kv.close();
  }
});
