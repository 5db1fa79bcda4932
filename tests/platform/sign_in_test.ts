/**
 * lib/platform/sign_in.ts and lib/session/sign_out.ts driven directly (no HTTP): the attempt limit and the form's
 * CSRF token before anything starts, the login binding at the callback and the loopback transfer, the
 * sign-in/sign-up decision, and sign-out of a session family. The route-level tests are tests/auth/*.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { testConfig } from "../../lib/config.ts";
import { loadKeyRing } from "../../lib/keys.ts";
import { Urls } from "../../lib/urls.ts";
import { createSessions } from "../../lib/session/sessions.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { loginBinding } from "../../lib/session/browser_bindings.ts";
import { LOGOUT_PURPOSE, signOut } from "../../lib/session/sign_out.ts";
import {
  callbackErrorMessage,
  finishSignIn,
  LOGIN_PURPOSE,
  OTHER_BROWSER_MESSAGE,
  redeemSignInTransfer,
  signIn,
  type SignInDeps,
  type SignInStep,
  STALE_FORM_MESSAGE,
  startSignIn,
  TRANSFER_EXPIRED_MESSAGE,
} from "../../lib/platform/sign_in.ts";
import { LOGIN_ATTEMPTS_PER_MINUTE } from "../../lib/atproto/login_limit.ts";
import { ACCOUNTS, fakeAtproto } from "../routes/auth/helpers.ts";

const P = "http://localhost:8000";
const LOOPBACK = "http://127.0.0.1:8000";
const NONCE = "nonce-aaaaaaaaaaaaaaaaaaaaaaaa";
const OTHER_NONCE = "nonce-bbbbbbbbbbbbbbbbbbbbbbbb";
const ALICE = ACCOUNTS["alice.test"];

async function fixture(ownedBy: string[] = []) {
  const kv = await Deno.openKv(":memory:");
  const config = testConfig({ publicOrigin: P });
  const keys = await loadKeyRing(kv, config);
  const urls = new Urls(config);
  const sessions = createSessions({ kv, keys });
  const atproto = fakeAtproto("loopback");
  const wikis = {
    forUser: (did: string) =>
      Promise.resolve(
        ownedBy.includes(did) ? [{ wiki: { ownerDid: did } as never, role: "admin" as const }] : [],
      ),
  };
  const deps: SignInDeps = { kv, urls, keys, sessions, wikis, atproto };
  const start = async (nonce: string | null, opts: { identifier?: string; returnTo?: string | null } = {}) =>
    await startSignIn(deps, {
      source: "198.51.100.7",
      identifier: opts.identifier ?? "alice.test",
      returnTo: opts.returnTo ?? null,
      nonce,
      csrf: nonce ? await csrfToken(keys, nonce, LOGIN_PURPOSE) : null,
    });
  /** The callback parameters of the last login the fake PDS saw started. */
  const callbackOf = (step: SignInStep) => {
    assertEquals(step.kind, "redirect", JSON.stringify(step));
    return new URL((step as { location: string }).location).searchParams;
  };
  return { kv, keys, urls, sessions, atproto, deps, start, callbackOf };
}

Deno.test("sign-in - start: the form's CSRF token must match the nonce; the login is bound to it", async () => {
  const f = await fixture();
  try {
    assertEquals(await f.start(null), { kind: "form", status: 403, error: STALE_FORM_MESSAGE, returnTo: null });
    const forged = await startSignIn(f.deps, {
      source: "198.51.100.7",
      identifier: "alice.test",
      returnTo: null,
      nonce: NONCE,
      csrf: await csrfToken(f.keys, OTHER_NONCE, LOGIN_PURPOSE),
    });
    assertEquals(forged, { kind: "form", status: 403, error: STALE_FORM_MESSAGE, returnTo: null });
    assertEquals(f.atproto.started.length, 0, "nothing started without a valid form");
    const step = await f.start(NONCE, { returnTo: `${P}/app/` });
    assertEquals(step.kind, "redirect");
    assertEquals(f.atproto.started.length, 1);
    const { binding, returnTo } = f.atproto.started[0];
    assertEquals(returnTo, `${P}/app/`);
    assertEquals(await loginBinding(f.keys).verify(NONCE, binding), true, "bound to this browser's nonce");
    assertEquals(await loginBinding(f.keys).verify(OTHER_NONCE, binding), false);
    const unknown = await f.start(NONCE, { identifier: "nobody.test" });
    assertEquals(unknown.kind === "form" && unknown.status, 400, "a LoginError comes back on the form");
  } finally {
    f.kv.close();
  }
});

Deno.test("sign-in - start: past the attempt limit the form says when to retry, and nothing is started", async () => {
  const f = await fixture();
  try {
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) assertEquals((await f.start(NONCE)).kind, "redirect");
    const refused = await f.start(NONCE);
    assertEquals(refused.kind === "form" && refused.status, 429);
    assertOk(refused.kind === "form" && refused.retryAfterSeconds! >= 1, JSON.stringify(refused));
    assertEquals(f.atproto.started.length, LOGIN_ATTEMPTS_PER_MINUTE);
  } finally {
    f.kv.close();
  }
});

Deno.test("sign-in - callback: only the browser that started it is signed in; a first login returns to return_to", async () => {
  const f = await fixture();
  try {
    const params = f.callbackOf(await f.start(NONCE, { returnTo: `${P}/w/x/` }));
    const elsewhere = await finishSignIn(f.deps, { origin: P, nonce: OTHER_NONCE, params });
    assertEquals(elsewhere, { kind: "form", status: 403, error: OTHER_BROWSER_MESSAGE, returnTo: `${P}/w/x/` });
    const again = f.callbackOf(await f.start(NONCE, { returnTo: `${P}/w/x/` }));
    const step = await finishSignIn(f.deps, { origin: P, nonce: NONCE, params: again });
    assertEquals(step.kind, "signed-in");
    if (step.kind !== "signed-in") return;
    // Never detoured to signup mid-flow (issue 11 item 4): a wiki of one's own is offered on the dashboard.
    assertEquals(step.location, `${P}/w/x/`);
    assertEquals((await f.sessions.get(step.id, P))?.did, ALICE);
    const replayed = await finishSignIn(f.deps, { origin: P, nonce: NONCE, params: again });
    assertEquals(replayed.kind === "form" && replayed.status, 400, "a state is used once");
  } finally {
    f.kv.close();
  }
});

Deno.test("sign-in - decision: returning users go to return_to, the dashboard, or signup when they own no wiki", async () => {
  const user = { did: ALICE, handle: "alice.test", displayName: null };
  const owner = await fixture([ALICE]);
  try {
    assertEquals((await signIn(owner.deps, user, null) as { location: string }).location, `${P}/auth/signup`);
    assertEquals((await signIn(owner.deps, user, null) as { location: string }).location, `${P}/app/`);
    assertEquals((await signIn(owner.deps, user, `${P}/w/x/`) as { location: string }).location, `${P}/w/x/`);
  } finally {
    owner.kv.close();
  }
  const none = await fixture();
  try {
    await signIn(none.deps, user, null);
    assertEquals((await signIn(none.deps, user, null) as { location: string }).location, `${P}/auth/signup`);
    assertEquals((await signIn(none.deps, user, `${P}/w/x/`) as { location: string }).location, `${P}/w/x/`);
  } finally {
    none.kv.close();
  }
});

Deno.test("sign-in - loopback callback: transferred to the public origin, redeemed once, in the same browser", async () => {
  const f = await fixture([ALICE]);
  try {
    const params = f.callbackOf(await f.start(NONCE));
    const step = await finishSignIn(f.deps, { origin: LOOPBACK, nonce: null, params });
    assertEquals(step.kind, "redirect");
    const location = new URL((step as { location: string }).location);
    assertEquals(location.origin + location.pathname, `${P}/auth/transfer`);
    const code = location.searchParams.get("code")!;
    const signedIn = await redeemSignInTransfer(f.deps, { origin: P, nonce: NONCE, code });
    assertEquals(signedIn.kind, "signed-in");
    const used = await redeemSignInTransfer(f.deps, { origin: P, nonce: NONCE, code });
    assertEquals(used, { kind: "form", status: 400, error: TRANSFER_EXPIRED_MESSAGE, returnTo: null });

    const other = f.callbackOf(await f.start(NONCE));
    const moved = await finishSignIn(f.deps, { origin: LOOPBACK, nonce: null, params: other });
    const code2 = new URL((moved as { location: string }).location).searchParams.get("code")!;
    const stolen = await redeemSignInTransfer(f.deps, { origin: P, nonce: OTHER_NONCE, code: code2 });
    assertEquals(stolen.kind === "form" && stolen.status, 403);

    const fresh = f.callbackOf(await f.start(NONCE));
    const stray = await finishSignIn(f.deps, { origin: "http://evil.localhost:8000", nonce: NONCE, params: fresh });
    assertEquals(stray, { kind: "redirect", location: `${P}/auth/login?error=invalid_callback` });
  } finally {
    f.kv.close();
  }
});

Deno.test("sign-in - a failed callback on the loopback origin is reported on the public origin's form", async () => {
  const f = await fixture();
  try {
    const params = f.callbackOf(await f.start(NONCE, { returnTo: `${P}/app/` }));
    params.set("error", "access_denied");
    const step = await finishSignIn(f.deps, { origin: LOOPBACK, nonce: null, params });
    assertEquals(step, {
      kind: "redirect",
      location: `${P}/auth/login?error=access_denied&return_to=${encodeURIComponent(`${P}/app/`)}`,
    });
    assertOk(callbackErrorMessage("access_denied")?.startsWith("You declined"));
    assertEquals(callbackErrorMessage("constructor"), null, "only the listed codes");
    assertEquals(callbackErrorMessage(undefined), null);
  } finally {
    f.kv.close();
  }
});

Deno.test("sign-out - needs the session's logout token; ends the session family and revokes the ATProto tokens", async () => {
  const f = await fixture();
  try {
    const W = "http://alice.localhost:8000";
    const user = { did: ALICE, handle: "alice.test", displayName: null };
    const parent = await f.sessions.create(user, P);
    const code = (await f.sessions.createHandoff(parent.id, W, `${W}/`))!;
    const child = (await f.sessions.redeemHandoff(code, W))!;
    const deps = { keys: f.keys, sessions: f.sessions, atproto: f.atproto };
    const wrong = await csrfToken(f.keys, parent.id, LOGOUT_PURPOSE);
    assertEquals(await signOut(deps, child, wrong), false, "another session's token");
    assertEquals(await signOut(deps, child, null), false);
    assertOk(await f.sessions.get(child.id, W), "still signed in");
    assertEquals(f.atproto.loggedOut, []);
    assertEquals(await signOut(deps, child, await csrfToken(f.keys, child.id, LOGOUT_PURPOSE)), true);
    assertEquals(await f.sessions.get(child.id, W), null);
    assertEquals(await f.sessions.get(parent.id, P), null, "the platform session ends too");
    assertEquals(f.atproto.loggedOut, [ALICE]);
  } finally {
    f.kv.close();
  }
});
