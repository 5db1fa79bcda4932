/**
 * Unit tests of the ATProto OAuth client layer: client modes and their metadata documents, the JWKS, the KV stores
 * (DPoP key round trip, expiry), the Deno runtime, and the callback/start failures that need no network.
 */
import { JoseKey } from "@atproto/jwk-jose";
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from "jose";
import {
  atprotoClientMode,
  clientMetadataDocument,
  createAtprotoLogin,
  isLoopbackOrigin,
  jwksDocument,
  LoginError,
} from "../../lib/atproto/client.ts";
import { IdentityError, type IdentityResolver } from "../../lib/atproto/identity.ts";
import { denoRuntime, kvSessionStore, kvStateStore } from "../../lib/atproto/stores.ts";
import { testConfig } from "../../lib/config.ts";
import { loadKeyRing } from "../../lib/keys.ts";
import { AtprotoKeys } from "../../lib/atproto/stores.ts";
import { assertEquals, assertOk } from "../assert.ts";

Deno.test("loopback origins pick the loopback client, others the confidential one", () => {
  for (const o of ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000", "http://LOCALHOST"]) {
    assertOk(isLoopbackOrigin(o), o);
    assertEquals(atprotoClientMode(o), "loopback");
  }
  assertEquals(isLoopbackOrigin("https://alice.localhost"), false);
  assertEquals(atprotoClientMode("https://robot.wtf"), "confidential");
  assertEquals(atprotoClientMode("https://localhost.robot.wtf"), "confidential");
  assertThrowsMessage(
    () => atprotoClientMode("http://robot.lan:8000"),
    "ATProto login needs an https PUBLIC_ORIGIN (or a loopback one: localhost, 127.0.0.1, [::1]); " +
      "got http://robot.lan:8000",
  );
});

Deno.test("loopback metadata: localhost client_id with a 127.0.0.1 redirect, scope atproto, no client auth", () => {
  assertEquals(clientMetadataDocument("http://localhost:8000"), {
    client_id: "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fauth%2Fcallback&scope=atproto",
    redirect_uris: ["http://127.0.0.1:8000/auth/callback"],
    scope: "atproto",
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token"],
    application_type: "native",
    token_endpoint_auth_method: "none",
    dpop_bound_access_tokens: true,
  });
  // No port: the default-port loopback redirect.
  assertEquals(clientMetadataDocument("http://localhost").redirect_uris, ["http://127.0.0.1/auth/callback"]);
  assertEquals(clientMetadataDocument("http://127.0.0.1:9999").redirect_uris, ["http://127.0.0.1:9999/auth/callback"]);
});

Deno.test("confidential metadata: served client_id, private_key_jwt with ES256, jwks_uri, DPoP", () => {
  assertEquals(clientMetadataDocument("https://robot.wtf"), {
    client_id: "https://robot.wtf/auth/client-metadata.json",
    client_name: "robot.wtf",
    client_uri: "https://robot.wtf",
    redirect_uris: ["https://robot.wtf/auth/callback"],
    scope: "atproto",
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token"],
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    token_endpoint_auth_signing_alg: "ES256",
    dpop_bound_access_tokens: true,
    jwks_uri: "https://robot.wtf/auth/jwks.json",
  });
});

Deno.test("jwksDocument: public key only, no key_ops, and jose verifies the registry key's signatures with it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const keys = await loadKeyRing(kv, testConfig());
    const { kid, privateJwk } = keys.atprotoClientKey();
    const jwks = jwksDocument(keys);
    assertEquals(jwks.keys.length, 1);
    assertEquals(Object.keys(jwks.keys[0]).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
    assertEquals(jwks.keys[0].kid, kid);
    const { use: _use, ...signing } = privateJwk as JsonWebKey & { use?: string };
    const jwt = await new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "ES256", kid }).sign(
      await importJWK(signing, "ES256"),
    );
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks));
    assertEquals(payload.sub, "x");
  } finally {
    kv.close();
  }
});

Deno.test("the library client builds in both modes; confidential mode needs the key registry", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const keys = await loadKeyRing(kv, testConfig());
    const conf = createAtprotoLogin({ kv, publicOrigin: "https://robot.wtf", keys, identity: failingIdentity() });
    assertEquals(conf.mode, "confidential");
    assertEquals(conf.redirectUri, "https://robot.wtf/auth/callback");
    const client = await conf.oauthClient();
    assertEquals(client.clientMetadata.token_endpoint_auth_method, "private_key_jwt");
    assertEquals(client.keyset?.size, 1);
    assertEquals([...client.keyset!.list({ usage: "sign" })].map((k) => k.kid), [keys.atprotoClientKey().kid]);

    const loop = createAtprotoLogin({ kv, publicOrigin: "http://localhost:8000", identity: failingIdentity() });
    assertEquals(loop.mode, "loopback");
    assertEquals((await loop.oauthClient()).clientMetadata.token_endpoint_auth_method, "none");

    assertThrowsMessage(
      () => createAtprotoLogin({ kv, publicOrigin: "https://robot.wtf", identity: failingIdentity() }),
      "Confidential ATProto login needs the key registry",
    );
  } finally {
    kv.close();
  }
});

Deno.test("state store: round-trips the DPoP key as a usable JoseKey and honours expiry", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = 1_000_000;
    const store = kvStateStore(kv, { ttlMs: 60_000, now: () => now });
    const dpopKey = await JoseKey.generate(["ES256"]);
    const data = {
      iss: "https://pds.example.com",
      dpopKey,
      authMethod: { method: "none" as const },
      verifier: "v".repeat(43),
      appState: '{"expectedDid":null}',
    };
    await store.set("st1", data);

    const raw = (await kv.get<Record<string, unknown>>(AtprotoKeys.atprotoState("st1"))).value!;
    assertEquals(raw.expiresAt, now + 60_000);
    assertEquals("dpopKey" in raw, false);
    // The private JWK is stored sealed (tests/atproto/session_crypto_test.ts): nothing else is readable.
    assertEquals(Object.keys(raw).sort(), ["expiresAt", "sealed"]);

    const back = await store.get("st1");
    assertOk(back);
    assertOk(back.dpopKey instanceof JoseKey, "rebuilt as a JoseKey");
    assertEquals(back.dpopKey.bareJwk, dpopKey.bareJwk);
    assertEquals({ ...back, dpopKey: null }, { ...data, dpopKey: null });
    // The rebuilt key signs, and the original public key verifies it.
    const jwt = await back.dpopKey.createJwt({ alg: "ES256", typ: "dpop+jwt" }, { iat: 1, jti: "j", htm: "GET" });
    const { kty, crv, x, y } = dpopKey.bareJwk as JsonWebKey;
    assertEquals((await jwtVerify(jwt, await importJWK({ kty, crv, x, y }, "ES256"))).payload.jti, "j");

    now += 59_999;
    assertOk(await store.get("st1"), "still live 1 ms before expiry");
    now += 1;
    assertEquals(await store.get("st1"), undefined);

    now = 1_000_000;
    await store.del("st1");
    assertEquals(await store.get("st1"), undefined);
  } finally {
    kv.close();
  }
});

Deno.test("session store: round-trips tokens and the DPoP key, refreshes expiry on set, deletes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = 5_000;
    const store = kvSessionStore(kv, { ttlMs: 1_000, now: () => now });
    const did = "did:plc:abcdefghijklmnopqrstuvwx";
    const session = {
      dpopKey: await JoseKey.generate(["ES256"]),
      authMethod: { method: "private_key_jwt" as const, kid: "atproto-client-1" },
      tokenSet: {
        iss: "https://pds.example.com",
        sub: did as `did:plc:${string}`,
        aud: "https://pds.example.com",
        scope: "atproto" as const,
        access_token: "at",
        refresh_token: "rt",
        token_type: "DPoP" as const,
        expires_at: "2030-01-01T00:00:00.000Z",
      },
    };
    await store.set(did, session);
    const back = await store.get(did);
    assertOk(back);
    assertEquals(back.tokenSet, session.tokenSet);
    assertEquals(back.authMethod, session.authMethod);
    assertEquals(back.dpopKey.bareJwk, session.dpopKey.bareJwk);

    now = 5_900;
    await store.set(did, session); // a refresh rewrites the session: its lifetime starts again
    now = 6_500;
    assertOk(await store.get(did), "live: 600 ms after the last write");
    now = 6_900;
    assertEquals(await store.get(did), undefined);

    now = 5_000;
    await store.del(did);
    assertEquals((await kv.get(AtprotoKeys.atprotoSession(did))).value, null);
  } finally {
    kv.close();
  }
});

Deno.test("Deno runtime: SHA-256 digest, random bytes, ES256 keys", async () => {
  const digest = await denoRuntime.digest(new TextEncoder().encode("abc"), { name: "sha256" });
  assertEquals(
    [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals((await denoRuntime.getRandomValues(16)).length, 16);
  const key = await denoRuntime.createKey(["ES256"]);
  assertOk(key.algorithms.includes("ES256"), `algorithms: ${key.algorithms}`);
  assertEquals((key.bareJwk as JsonWebKey).crv, "P-256");
  assertOk(key.privateJwk);
});

Deno.test("finish: missing, unknown, expired and denied callbacks are LoginErrors with readable messages", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = 10_000_000;
    const login = createAtprotoLogin({
      kv,
      publicOrigin: "http://localhost:8000",
      identity: failingIdentity(),
      stateTtlMs: 60_000,
      now: () => now,
    });
    await expectLoginError(
      login.finish(new URLSearchParams({ code: "c" })),
      "invalid_callback",
      "This sign-in response is incomplete (it has no state). Start again from the login page.",
    );
    await expectLoginError(
      login.finish(new URLSearchParams({ state: "unknown", code: "c" })),
      "expired",
      "This sign-in attempt has expired or was already used. Start again from the login page.",
    );

    const states = kvStateStore(kv, { ttlMs: 60_000, now: () => now });
    const pending = {
      iss: "https://pds.example.com",
      dpopKey: await JoseKey.generate(["ES256"]),
      authMethod: { method: "none" as const },
      verifier: "v".repeat(43),
      appState: JSON.stringify({ expectedDid: null, returnTo: "http://localhost:8000/app/" }),
    };
    await states.set("s-denied", pending);
    const denied = await expectLoginError(
      login.finish(new URLSearchParams({ state: "s-denied", iss: "https://pds.example.com", error: "access_denied" })),
      "access_denied",
      "You declined the sign-in at your PDS, so you are not signed in. You can try again at any time.",
    );
    assertEquals(denied.returnTo, "http://localhost:8000/app/");
    assertEquals(denied.status, 403);
    assertEquals(await states.get("s-denied"), undefined, "a denied attempt is used up");

    await states.set("s-other", pending);
    await expectLoginError(
      login.finish(new URLSearchParams({ state: "s-other", error: "server_error", error_description: "boom" })),
      "login_failed",
      "Your PDS ended the sign-in with an error (server_error: boom). Start again from the login page.",
    );

    await states.set("s-late", pending);
    now += 60_000;
    await expectLoginError(login.finish(new URLSearchParams({ state: "s-late", code: "c" })), "expired");
  } finally {
    kv.close();
  }
});

Deno.test("start: bad input and unknown handles become LoginErrors with identity.ts's message", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const login = createAtprotoLogin({ kv, publicOrigin: "http://localhost:8000", identity: failingIdentity() });
    await expectLoginError(login.start("   "), "invalid_input");
    await expectLoginError(login.start("did:key:z6Mk"), "invalid_input");
    await expectLoginError(login.start("alice.example.com"), "unknown_handle", "No account alice.example.com");
    // Nothing was stored for a login that never started.
    const pending = await Array.fromAsync(kv.list({ prefix: ["atproto_state"] }));
    assertEquals(pending.length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("start: a PDS address that cannot be reached is not asked again for 2 minutes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const asked: string[] = [];
    let t = 1_800_000_000_000;
    const login = createAtprotoLogin({
      kv,
      publicOrigin: "http://localhost:8000",
      identity: failingIdentity(),
      now: () => t,
      fetch: (input) => {
        asked.push(String(input instanceof Request ? input.url : input));
        return Promise.reject(new TypeError("connection refused"));
      },
    });
    const first = await expectLoginError(login.start("https://pds.example"), "pds_unreachable");
    const n = asked.length;
    assertOk(n >= 1, "the PDS was asked");
    const again = await expectLoginError(login.start("https://pds.example"), "pds_unreachable");
    assertEquals(again.message, first.message);
    assertEquals(asked.length, n, "the second start made no outbound call");
    t += 2 * 60_000 + 1;
    await expectLoginError(login.start("https://pds.example"), "pds_unreachable");
    assertOk(asked.length > n, "asked again after the negative cache expired");
  } finally {
    kv.close();
  }
});

/** An identity resolver that knows nobody (and must not be asked to fetch anything). */
function failingIdentity(): IdentityResolver {
  const unknown = (what: string) => Promise.reject(new IdentityError("unknown-handle", `No account ${what}`));
  return {
    lookupHandle: () => Promise.resolve(null),
    resolveHandle: (h) => unknown(h),
    resolveDid: (d) => unknown(d),
    resolveIdentity: (i) => unknown(typeof i === "string" ? i : i.kind === "handle" ? i.handle : String(i)),
    resolveAuthServer: (u) => unknown(u),
  } as IdentityResolver;
}

async function expectLoginError(p: Promise<unknown>, code: string, message?: string): Promise<LoginError> {
  try {
    await p;
  } catch (err) {
    assertOk(err instanceof LoginError, `expected LoginError, got ${err}`);
    assertEquals(err.code, code, `wrong code; message: ${err.message}`);
    if (message !== undefined) assertEquals(err.message, message);
    return err;
  }
  throw new Error(`expected LoginError ${code}, got success`);
}

function assertThrowsMessage(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (err) {
    assertEquals((err as Error).message, message);
    return;
  }
  throw new Error(`expected an error: ${message}`);
}
