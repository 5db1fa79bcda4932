/**
 * Sign-in under abuse: `POST /auth/login` is rate-limited per client address (the connection's, as `Deno.serve`
 * reports it), so a flood from one address makes at most a few identity resolutions (each is DNS and TLS to hosts
 * the caller chose) and gets a readable 429 page; other addresses sign in as usual.
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { hiddenField, setupAuth } from "./helpers.ts";

const from = (ip: string) => ({ remoteAddr: { transport: "tcp" as const, hostname: ip, port: 50_000 } });

Deno.test("auth - 300 sign-in posts from one address: most get 429, the resolver runs at most 20 times", async () => {
  const t = await setupAuth();
  try {
    const a = t.browser(from("203.0.113.7"));
    const csrf = hiddenField((await a.page(`${t.origin}/auth/login`)).html, "csrf");
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => a.post(`${t.origin}/auth/login`, { identifier: `nobody${i}.test`, csrf })),
    );
    const limited = results.filter((r) => r.status === 429);
    assertOk(limited.length >= 280, `${limited.length} of 300 limited`);
    assertOk(t.atproto.started.length <= 20, `the resolver ran ${t.atproto.started.length} times`);
    assertEquals(results.filter((r) => r.status !== 429).every((r) => r.status === 400), true, "unknown handles");
    const page = await limited[0].text();
    assertIncludes(page, "Too many sign-in attempts from your network");
    assertIncludes(page, 'name="identifier"'); // the form is still there
    const retry = Number(limited[0].headers.get("retry-after"));
    // A one-minute window of six 10 s buckets: a burst at the start of a bucket is weighted out during the seventh, so
    // the wait can pass 60 s by a fraction of a bucket (lib/kv/rate_limit.ts retryAfterMs), never 70 s.
    assertOk(retry >= 1 && retry <= 70, `Retry-After ${retry}`);
    assertEquals(limited[0].headers.get("cache-control"), "no-store");
    for (const r of results) if (!r.bodyUsed) await r.body?.cancel();

    // Another address is not affected: alice signs in.
    const b = t.browser(from("198.51.100.9"));
    const csrfB = hiddenField((await b.page(`${t.origin}/auth/login`)).html, "csrf");
    const ok = await b.post(`${t.origin}/auth/login`, { identifier: "alice.test", csrf: csrfB });
    assertEquals(ok.status, 303);
  } finally {
    t.close();
  }
});
