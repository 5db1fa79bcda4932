/**
 * Abuse limits of the OAuth endpoints over HTTP: registrations are limited per (client address, wiki) and per
 * client address, so one address spending its budget does not lock anyone else out; client ID metadata documents
 * are fetched at most a few times per address. The address is the connection's, as `Deno.serve` reports it.
 */
import { assertEquals, assertIncludes, assertOk } from "../../../assert.ts";
import { CLAUDE_DCR, setupHttp } from "./http_helpers.ts";

/** The connection info `Deno.serve` hands the app for a client at `ip`. */
function from(ip: string) {
  return { remoteAddr: { transport: "tcp" as const, hostname: ip, port: 40_000 } };
}

Deno.test("POST /register: 210 calls from address A do not lock address B out of the wiki", async () => {
  const f = await setupHttp("path");
  try {
    const post = (ip: string) =>
      f.app.fetch(
        new Request(f.urls.wiki("alice", "/register"), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(CLAUDE_DCR),
        }),
        from(ip),
      );
    const statuses: number[] = [];
    for (let i = 0; i < 210; i++) {
      const res = await post("203.0.113.7");
      statuses.push(res.status);
      if (res.status === 429 && statuses.filter((s) => s === 429).length === 1) {
        const body = await res.json();
        assertEquals(body.error, "temporarily_unavailable");
        assertIncludes(body.error_description, "Too many client registrations from your network");
        assertOk(Number(res.headers.get("retry-after")) >= 1, "Retry-After");
        assertEquals(res.headers.get("access-control-allow-origin"), "*");
      } else await res.body?.cancel();
    }
    const count = (n: number) => statuses.filter((s) => s === n).length;
    assertOk(count(201) === 60 && count(429) === 150, `201: ${count(201)}, 429: ${count(429)}`);
    assertOk(!statuses.some((s) => s >= 500), "no 5xx");
    const b = await post("198.51.100.9");
    assertEquals(b.status, 201, await b.text());
    // IPv6 addresses count per /64: a client rotating through its /64 is one source.
    const v6 = await Promise.all(
      Array.from({ length: 70 }, (_, i) => post(`2001:db8:1:2::${(i + 1).toString(16)}`).then((r) => r.status)),
    );
    assertEquals(v6.filter((s) => s === 429).length, 10, "70 from one /64: 60 pass");
    assertEquals((await post("2001:db8:1:3::1")).status, 201, "another /64");
  } finally {
    f.close();
  }
});

Deno.test("POST /register over a socket: the connection's address counts, X-Forwarded-For does not", async () => {
  const f = await setupHttp("path");
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, f.app.fetch);
  try {
    const url = new URL(f.urls.wiki("alice", "/register"));
    url.host = `127.0.0.1:${server.addr.port}`;
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i}`, host: "localhost:8000" },
        body: JSON.stringify(CLAUDE_DCR),
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses.filter((s) => s === 201).length, 60);
    assertEquals(statuses.at(-1), 429);
  } finally {
    await server.shutdown();
    f.close();
  }
});
