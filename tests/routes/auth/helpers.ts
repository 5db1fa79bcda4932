/**
 * @module
 * Shared setup of the sign-in route tests: an app on in-memory KV with a fake ATProto login (no PDS), a tiny
 * cookie jar per browser, and helpers to drive the login form and its callback in-process.
 */
import type { App } from "../../../main.ts";
import type { Config } from "../../../lib/config.ts";
import { appFixture } from "../../fixture/app.ts";
import { type AtprotoLogin, LoginError, type LoginResult } from "../../../lib/atproto/client.ts";
import { assertEquals, assertOk } from "../../assert.ts";
import type { ConnectionInfo } from "../../../lib/net/client_address.ts";

/** Accounts the fake login knows: handle -> DID. */
export const ACCOUNTS: Record<string, string> = {
  "alice.test": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
  "bob.test": "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
};

/** A fake ATProto login: `start` records the call and returns a PDS URL carrying the state; `finish` replays it. */
export interface FakeAtproto extends AtprotoLogin {
  started: { input: string; returnTo?: string; binding?: string }[];
  loggedOut: string[];
}

/** Creates the fake (mode as given, `pds.example` as every PDS). */
export function fakeAtproto(mode: "loopback" | "confidential"): FakeAtproto {
  const pending = new Map<string, LoginResult>();
  let n = 0;
  const fake: FakeAtproto = {
    mode,
    clientId: "fake-client",
    redirectUri: "fake-redirect",
    started: [],
    loggedOut: [],
    start(input, opts = {}) {
      fake.started.push({ input, ...opts });
      const handle = input.trim().replace(/^@/, "").toLowerCase();
      const did = ACCOUNTS[handle];
      if (!did) {
        return Promise.reject(
          new LoginError("unknown_handle", `We couldn't find the handle "${handle}". Check the spelling.`),
        );
      }
      const state = `state-${++n}`;
      pending.set(state, { did, handle, returnTo: opts.returnTo ?? null, binding: opts.binding ?? null });
      return Promise.resolve(new URL(`https://pds.example/oauth/authorize?state=${state}`));
    },
    finish(params) {
      const state = params.get("state") ?? "";
      const p = pending.get(state);
      pending.delete(state);
      if (!p) {
        return Promise.reject(
          new LoginError(
            "expired",
            "This sign-in attempt has expired or was already used. Start again from the login page.",
          ),
        );
      }
      if (params.get("error") === "access_denied") {
        return Promise.reject(
          new LoginError(
            "access_denied",
            "You declined the sign-in at your PDS, so you are not signed in. You can try again at any time.",
            { returnTo: p.returnTo },
          ),
        );
      }
      return Promise.resolve(p);
    },
    logout(did) {
      fake.loggedOut.push(did);
      return Promise.resolve();
    },
    oauthClient() {
      return Promise.reject(new Error("not in the fake"));
    },
  };
  return fake;
}

/** One browser: cookies per origin (host-only), as a browser keeps them. */
export class Browser {
  readonly jar = new Map<string, Map<string, string>>();
  /** `info`: the connection as `Deno.serve` reports it (the client's address); absent, the app sees "unknown". */
  constructor(readonly app: App, readonly info?: ConnectionInfo) {}

  /** Sends a request with this browser's cookies for the URL's origin and stores the cookies it sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const cookies = this.jar.get(origin) ?? new Map();
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await this.app.fetch(new Request(url, { ...init, headers, redirect: "manual" }), this.info);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const [name, value] = [pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1).trim()];
      const maxAge = attrs.find((a) => /^\s*max-age=/i.test(a));
      const expired = (maxAge && Number(maxAge.split("=")[1]) <= 0) ||
        attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (!this.jar.has(origin)) this.jar.set(origin, new Map());
      if (expired) this.jar.get(origin)!.delete(name);
      else this.jar.get(origin)!.set(name, value);
    }
    return res;
  }

  /** Value of a cookie this browser holds for an origin. */
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  /** GET, body read as text. */
  async page(url: string): Promise<{ res: Response; html: string }> {
    const res = await this.fetch(url);
    return { res, html: await res.text() };
  }

  /** POST a urlencoded form. */
  async post(url: string, form: Record<string, string>): Promise<Response> {
    return await this.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  }
}

/** A test app with the fake login. */
export async function setupAuth(overrides: Partial<Config> = {}, mode: "loopback" | "confidential" = "loopback") {
  const atproto = fakeAtproto(mode);
  const f = await appFixture({ config: overrides, app: { atproto } });
  const { app, kv } = f;
  return {
    app,
    kv,
    atproto,
    origin: f.config.publicOrigin,
    browser: (info?: ConnectionInfo) => new Browser(app, info),
    close: () => void f.close(),
  };
}

/** The value of a hidden input named `name` in a page (the first after `after`, when given). */
export function hiddenField(html: string, name: string, after?: string): string {
  if (after !== undefined) {
    const at = html.indexOf(after);
    assertOk(at >= 0, `no ${after} in the page`);
    html = html.slice(at);
  }
  const m = html.match(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`));
  assertOk(m, `no hidden field ${name}`);
  return m[1].replaceAll("&amp;", "&");
}

/**
 * Signs a browser in through the login form and the callback (fake PDS). `callbackOrigin` is where the PDS sends
 * the browser back (the public origin, or `http://127.0.0.1:{port}` for the loopback client). Returns the last
 * response (the redirect after sign-in).
 */
export async function signInThroughForm(
  b: Browser,
  origin: string,
  handle: string,
  opts: { returnTo?: string; callbackOrigin?: string } = {},
): Promise<Response> {
  const login = await b.page(
    `${origin}/auth/login${opts.returnTo ? `?return_to=${encodeURIComponent(opts.returnTo)}` : ""}`,
  );
  assertEquals(login.res.status, 200);
  const form: Record<string, string> = { identifier: handle, csrf: hiddenField(login.html, "csrf") };
  if (opts.returnTo && login.html.includes('name="return_to"')) form.return_to = hiddenField(login.html, "return_to");
  const started = await b.post(`${origin}/auth/login`, form);
  assertEquals(started.status, 303, await started.clone().text());
  const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
  const callback = await b.fetch(`${opts.callbackOrigin ?? origin}/auth/callback?state=${state}&code=x&iss=y`);
  if (callback.status === 303 && new URL(callback.headers.get("location")!).pathname === "/auth/transfer") {
    return await b.fetch(callback.headers.get("location")!);
  }
  return callback;
}
