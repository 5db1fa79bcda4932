import { assertEquals, assertIncludes, assertOk, assertRejects, assertThrows } from "../assert.ts";
import {
  createSafeFetch,
  type FetchLike,
  resolveWithDeno,
  SafeFetchError,
  type SafeFetchError as SafeFetchErrorType,
  type SafeFetchOptions,
  UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
} from "../../lib/net/safe_fetch.ts";
import { classifyAddress, parseIPv6 } from "../../lib/net/addresses.ts";
import { createPinnedClient } from "../../lib/net/pinned_client.ts";
import { OutboundSlots } from "../../lib/net/outbound_slots.ts";

/** A fetch stub that records calls; it never touches the network. */
function stubFetch(respond: (url: string, init: RequestInit) => Response = () => new Response("ok")) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push({ url, init: init ?? {} });
    return Promise.resolve(respond(url, init ?? {}));
  };
  return { fetch, calls };
}

function resolverFrom(table: Record<string, string[]>) {
  return (host: string) => Promise.resolve(table[host] ?? []);
}

async function expectRefused(
  url: string,
  reason: SafeFetchErrorType["reason"],
  opts: Partial<SafeFetchOptions> = {},
): Promise<SafeFetchErrorType> {
  const stub = stubFetch();
  const safe = createSafeFetch({ env: "development", resolve: resolverFrom({}), fetch: stub.fetch, ...opts });
  const err = await assertRejects(() => safe(url), SafeFetchError);
  assertEquals(err.reason, reason, `${url}: ${err.message}`);
  assertEquals(stub.calls.length, 0, `fetch must not be called for ${url}`);
  return err;
}

const PRIVATE_V4 = [
  "0.0.0.0",
  "0.255.255.255",
  "10.0.0.1",
  "10.255.255.255",
  "100.64.0.1",
  "100.127.255.254",
  "127.0.0.1",
  "127.255.255.254",
  "169.254.169.254",
  "172.16.0.1",
  "172.31.255.255",
  "192.0.0.8",
  "192.0.2.1",
  "192.88.99.1",
  "192.168.1.1",
  "198.18.0.1",
  "198.19.255.255",
  "198.51.100.7",
  "203.0.113.9",
  "224.0.0.1",
  "239.255.255.250",
  "240.0.0.1",
  "255.255.255.255",
];

const PRIVATE_V6 = [
  "::",
  "::1",
  "fc00::1",
  "fdff:ffff::1",
  "fe80::1",
  "febf::1",
  "ff02::1",
  "64:ff9b::10.0.0.1",
  "64:ff9b::7f00:1",
  "::ffff:127.0.0.1",
  "::ffff:10.0.0.1",
  "::ffff:169.254.169.254",
  "::ffff:7f00:1",
  "::127.0.0.1",
  "::8.8.8.8",
  "2001:db8::1",
  "2002:0a00:0001::1",
  "2002:7f00:0001::",
  "2002:c0a8:0101::1",
  "100::1",
  "2001::1",
];

const PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"];

Deno.test("every private or special address returned by DNS is refused, and no request is sent", async () => {
  for (const address of [...PRIVATE_V4, ...PRIVATE_V6]) {
    const err = await expectRefused("https://evil.example/x", "private-address", {
      resolve: resolverFrom({ "evil.example": [address] }),
    });
    assertIncludes(err.message, address);
    assertIncludes(err.message, "evil.example points to a private or reserved address");
  }
});

Deno.test("one private address among public ones is enough to refuse", async () => {
  await expectRefused("https://mixed.example/", "private-address", {
    resolve: resolverFrom({ "mixed.example": ["93.184.216.34", "2606:4700::1", "10.1.2.3"] }),
  });
});

Deno.test("loopback addresses stay refused even with the opt-in when embedded in NAT64 or 6to4", () => {
  assertEquals(classifyAddress("64:ff9b::127.0.0.1"), "private");
  assertEquals(classifyAddress("2002:7f00:1::"), "private");
  assertEquals(classifyAddress("::ffff:127.0.0.1"), "loopback");
  assertEquals(classifyAddress("127.0.0.1"), "loopback");
  assertEquals(classifyAddress("[::1]"), "loopback");
});

Deno.test("public addresses pass and the stub receives a manual-redirect request", async () => {
  for (const address of PUBLIC) {
    assertEquals(classifyAddress(address), "public", address);
    const stub = stubFetch();
    const safe = createSafeFetch({
      env: "production",
      resolve: resolverFrom({ "good.example": [address] }),
      fetch: stub.fetch,
    });
    const res = await safe("https://good.example/a?b=1");
    assertEquals(await res.text(), "ok");
    assertEquals(res.url, "https://good.example/a?b=1");
    assertEquals(stub.calls.length, 1);
    assertEquals(stub.calls[0].url, "https://good.example/a?b=1");
    assertEquals(stub.calls[0].init.redirect, "manual");
  }
});

Deno.test("IPv6 parser handles compressed, full and embedded-IPv4 forms and rejects garbage", () => {
  assertEquals(parseIPv6("::"), [0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(parseIPv6("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8]);
  assertEquals(parseIPv6("::ffff:1.2.3.4"), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  assertEquals(parseIPv6("1::2:3:4:5:6:7:8"), null);
  assertEquals(parseIPv6("1:::2"), null);
  assertEquals(parseIPv6("fe80::1%eth0"), null);
  assertEquals(parseIPv6("12345::"), null);
  assertEquals(classifyAddress("not-an-ip"), "invalid");
});

Deno.test("numeric host forms are normalized by WHATWG URL and checked without DNS", async () => {
  const forms = [
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://017700000001/",
    "http://127.0.0.1./",
    "http://%31%32%37.0.0.1/",
    "http://0/",
    "http://10.1/",
    "http://0xa9fea9fe/", // 169.254.169.254
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[64:ff9b::192.168.0.1]/",
    "https://[::]/",
    "https://192.168.0.1/",
  ];
  let resolverCalls = 0;
  for (const url of forms) {
    await expectRefused(url, "private-address", {
      allowHttp: true,
      resolve: () => {
        resolverCalls++;
        return Promise.resolve(["93.184.216.34"]);
      },
    });
  }
  assertEquals(resolverCalls, 0, "numeric hosts must not be resolved");
  assertEquals(new URL("http://0x7f.1/").hostname, "127.0.0.1", "WHATWG URL normalizes hex short forms");
  assertEquals(new URL("http://2130706433/").hostname, "127.0.0.1", "WHATWG URL normalizes decimal forms");
});

Deno.test("numeric public literals pass without DNS", async () => {
  const stub = stubFetch();
  const safe = createSafeFetch({
    env: "production",
    resolve: () => Promise.reject(new Error("no DNS for literals")),
    fetch: stub.fetch,
  });
  assertEquals((await safe("https://93.184.216.34/")).status, 200);
  assertEquals((await safe("https://[2606:4700::1111]/")).status, 200);
  assertEquals(stub.calls.length, 2);
});

Deno.test("local host names are refused before resolution unless the loopback opt-in is given", async () => {
  for (const url of ["https://localhost/", "https://LOCALHOST./", "https://a.b.localhost/", "https://printer.local/"]) {
    const err = await expectRefused(url, "blocked-host");
    assertIncludes(err.message, "is a local name; only public hosts can be fetched.");
  }
  await expectRefused("https://metadata.google.internal/computeMetadata/v1/", "blocked-host");
  // With the opt-in the name is allowed but its addresses are still checked.
  await expectRefused("https://svc.internal/", "private-address", {
    allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    resolve: resolverFrom({ "svc.internal": ["10.0.0.5"] }),
  });
});

Deno.test("schemes other than https are refused; http only with allowHttp", async () => {
  const err = await expectRefused("http://good.example/", "scheme", {
    resolve: resolverFrom({ "good.example": ["93.184.216.34"] }),
  });
  assertEquals(err.message, "Only https URLs can be fetched, not http: (good.example).");
  await expectRefused("ftp://good.example/", "scheme", { allowHttp: true });
  await expectRefused("file:///etc/passwd", "scheme", { allowHttp: true });
  await expectRefused("data:text/plain,hi", "scheme", { allowHttp: true });
  const stub = stubFetch();
  const safe = createSafeFetch({
    env: "development",
    allowHttp: true,
    resolve: resolverFrom({ "good.example": ["93.184.216.34"] }),
    fetch: stub.fetch,
  });
  assertEquals((await safe("http://good.example/")).status, 200);
});

Deno.test("userinfo in URLs is refused", async () => {
  const err = await expectRefused("https://user:pw@good.example/", "userinfo");
  assertEquals(err.message, "URLs with a user name or password are refused (good.example).");
  await expectRefused("https://user@good.example/", "userinfo");
});

Deno.test("names that resolve to nothing or fail to resolve give a dns error", async () => {
  const err = await expectRefused("https://nowhere.example/", "dns");
  assertEquals(err.message, "nowhere.example has no address.");
  await expectRefused("https://broken.example/", "dns", {
    resolve: () => Promise.reject(new Error("SERVFAIL")),
  });
});

Deno.test("configuration: the loopback opt-in and allowHttp are refused in production", () => {
  const e1 = assertThrows(
    () => createSafeFetch({ env: "production", allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS }),
    SafeFetchError,
    "cannot be used in production",
  );
  assertEquals(e1.reason, "config");
  assertThrows(() => createSafeFetch({ env: "production", allowHttp: true }), SafeFetchError, "allowHttp");
  for (const forged of [Symbol("UNSAFE_ALLOW_LOOPBACK_FOR_TESTS"), true, "yes"]) {
    const opts = { env: "development", allowLoopback: forged } as unknown as SafeFetchOptions;
    assertThrows(() => createSafeFetch(opts), SafeFetchError, "allowLoopback accepts only");
  }
});

Deno.test("a redirect to a private address is refused after re-validation", async () => {
  const stub = stubFetch(() => new Response(null, { status: 302, headers: { location: "https://inner.example/x" } }));
  const safe = createSafeFetch({
    env: "production",
    resolve: resolverFrom({ "outer.example": ["93.184.216.34"], "inner.example": ["10.0.0.7"] }),
    fetch: stub.fetch,
  });
  const err = await assertRejects(() => safe("https://outer.example/"), SafeFetchError, "10.0.0.7");
  assertEquals(err.reason, "private-address");
  assertEquals(stub.calls.map((c) => c.url), ["https://outer.example/"]);
});

Deno.test("redirects to numeric loopback, to http, and to local names are refused", async () => {
  for (
    const [location, reason] of [
      ["https://127.0.0.1/", "private-address"],
      ["https://2130706433/", "private-address"],
      ["http://good.example/", "scheme"],
      ["https://localhost/", "blocked-host"],
    ] as const
  ) {
    const stub = stubFetch(() => new Response(null, { status: 307, headers: { location } }));
    const safe = createSafeFetch({
      env: "production",
      resolve: resolverFrom({ "good.example": ["93.184.216.34"] }),
      fetch: stub.fetch,
    });
    const err = await assertRejects(() => safe("https://good.example/"), SafeFetchError);
    assertEquals(err.reason, reason, location);
    assertEquals(stub.calls.length, 1);
  }
});

Deno.test("a redirect loop is bounded by maxRedirects", async () => {
  const stub = stubFetch(() => new Response(null, { status: 301, headers: { location: "/again" } }));
  const safe = createSafeFetch({
    env: "production",
    resolve: resolverFrom({ "loop.example": ["93.184.216.34"] }),
    fetch: stub.fetch,
  });
  const err = await assertRejects(() => safe("https://loop.example/"), SafeFetchError);
  assertEquals(err.reason, "redirects");
  assertEquals(err.message, "Too many redirects (more than 3) from https://loop.example/");
  assertEquals(stub.calls.length, 4);
  const none = createSafeFetch({
    env: "production",
    maxRedirects: 0,
    resolve: resolverFrom({ "loop.example": ["93.184.216.34"] }),
    fetch: stubFetch(() => new Response(null, { status: 302, headers: { location: "/" } })).fetch,
  });
  assertEquals((await assertRejects(() => none("https://loop.example/"), SafeFetchError)).reason, "redirects");
});

Deno.test("redirects: 303 turns POST into GET; credentials are dropped across origins", async () => {
  const stub = stubFetch((url) =>
    url === "https://a.example/post"
      ? new Response(null, { status: 303, headers: { location: "https://b.example/done" } })
      : new Response("done")
  );
  const safe = createSafeFetch({
    env: "production",
    resolve: resolverFrom({ "a.example": ["93.184.216.34"], "b.example": ["93.184.216.35"] }),
    fetch: stub.fetch,
  });
  const res = await safe("https://a.example/post", {
    method: "POST",
    body: "x=1",
    headers: { authorization: "DPoP tok", dpop: "proof", "content-type": "application/x-www-form-urlencoded" },
  });
  assertEquals(await res.text(), "done");
  assertEquals(res.redirected, true);
  assertEquals(res.url, "https://b.example/done");
  assertEquals(stub.calls[0].init.method, "POST");
  assertEquals(new TextDecoder().decode(stub.calls[0].init.body as Uint8Array), "x=1");
  assertEquals(new Headers(stub.calls[0].init.headers).get("authorization"), "DPoP tok");
  assertEquals(stub.calls[1].init.method, "GET");
  assertEquals(stub.calls[1].init.body, undefined);
  const second = new Headers(stub.calls[1].init.headers);
  assertEquals(second.get("authorization"), null);
  assertEquals(second.get("dpop"), null);
});

Deno.test("a declared oversized response is refused from its Content-Length", async () => {
  const stub = stubFetch(() => new Response("x".repeat(100), { headers: { "content-length": "100" } }));
  const safe = createSafeFetch({
    env: "production",
    maxBytes: 99,
    resolve: resolverFrom({ "big.example": ["93.184.216.34"] }),
    fetch: stub.fetch,
  });
  const err = await assertRejects(() => safe("https://big.example/"), SafeFetchError);
  assertEquals(err.reason, "too-large");
  assertEquals(err.message, "The response from big.example is larger than 99 bytes.");
});

// Real streaming against a local server (loopback only, via the opt-in).

interface LocalServer {
  origin: string;
  port: number;
  cancelled: () => boolean;
  close: () => Promise<void>;
}

function serveLocal(): LocalServer {
  let cancelled = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/stream") {
      // 64 chunks of 1 KiB, no Content-Length: the limit must be enforced while reading.
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (i++ >= 64) return c.close();
          c.enqueue(new Uint8Array(1024).fill(65));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body);
    }
    if (path === "/slow") {
      const body = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(new TextEncoder().encode("partial"));
          await new Promise((r) => setTimeout(r, 1500)); // the subject: a body that stalls past the client's timeout
          try {
            c.close();
          } catch { /* client went away */ }
        },
      });
      return new Response(body);
    }
    if (path === "/redirect-private") return Response.redirect("http://10.0.0.1/", 302);
    return new Response(`host=${req.headers.get("host")}`);
  });
  const port = server.addr.port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    cancelled: () => cancelled,
    close: () => server.shutdown(),
  };
}

function loopbackFetch(extra: Partial<SafeFetchOptions> = {}) {
  return createSafeFetch({
    env: "development",
    allowHttp: true,
    allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    resolve: resolverFrom({ "localhost": ["127.0.0.1"], "pinned.test": ["127.0.0.1"] }),
    ...extra,
  });
}

Deno.test("local server: a streamed oversized response is aborted past maxBytes", async () => {
  const srv = serveLocal();
  try {
    const safe = loopbackFetch({ maxBytes: 10_000 });
    const err = await assertRejects(() => safe(`${srv.origin}/stream`), SafeFetchError);
    assertEquals(err.reason, "too-large");
    assertEquals(err.message, `The response from 127.0.0.1:${srv.port} is larger than 10000 bytes.`);
    const ok = await loopbackFetch({ maxBytes: 64 * 1024 })(`${srv.origin}/stream`);
    assertEquals((await ok.arrayBuffer()).byteLength, 64 * 1024);
  } finally {
    await srv.close();
  }
});

Deno.test("local server: a slow response times out", async () => {
  const srv = serveLocal();
  try {
    const safe = loopbackFetch({ timeoutMs: 200 });
    const started = Date.now();
    const err = await assertRejects(() => safe(`${srv.origin}/slow`), SafeFetchError);
    assertEquals(err.reason, "timeout");
    assertEquals(err.message, `127.0.0.1:${srv.port} did not answer within 0.2 s.`);
    assertOk(Date.now() - started < 1400, "must not wait for the body to finish");
  } finally {
    await srv.close();
  }
});

Deno.test("a resolver that hangs is cut by the timeout", async () => {
  const safe = createSafeFetch({
    env: "production",
    timeoutMs: 100,
    resolve: () => new Promise(() => {}),
    fetch: stubFetch().fetch,
  });
  assertEquals((await assertRejects(() => safe("https://hang.example/"), SafeFetchError)).reason, "timeout");
});

Deno.test("local server: loopback needs the opt-in; with it, names are pinned to the validated address", async () => {
  const srv = serveLocal();
  try {
    const without = createSafeFetch({ env: "development", allowHttp: true });
    assertEquals((await assertRejects(() => without(`${srv.origin}/`), SafeFetchError)).reason, "private-address");
    const safe = loopbackFetch();
    assertEquals(await (await safe(`${srv.origin}/`)).text(), `host=127.0.0.1:${srv.port}`);
    // pinned.test does not exist in DNS: the request reaches the server only because the connection goes to the
    // address the injected resolver validated.
    assertEquals(await (await safe(`http://pinned.test:${srv.port}/`)).text(), `host=pinned.test:${srv.port}`);
    const err = await assertRejects(() => safe(`${srv.origin}/redirect-private`), SafeFetchError, "10.0.0.1");
    assertEquals(err.reason, "private-address");
  } finally {
    await srv.close();
  }
});

Deno.test("https is pinned too: TLS to a name only the injected resolver knows, through the CONNECT tunnel", async () => {
  const fixtures = new URL("./fixtures/", import.meta.url);
  const ca = await Deno.readTextFile(new URL("pinned_test_ca.pem", fixtures));
  const cert = await Deno.readTextFile(new URL("pinned_test_cert.pem", fixtures));
  const key = await Deno.readTextFile(new URL("pinned_test_key.pem", fixtures));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, cert, key, onListen() {} }, (req) => {
    return new Response(`path=${new URL(req.url).pathname}`);
  });
  try {
    const port = server.addr.port;
    const safe = createSafeFetch({
      env: "development",
      allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
      caCerts: [ca],
      resolve: resolverFrom({ "pinned.test": ["127.0.0.1"] }),
    });
    const res = await safe(`https://pinned.test:${port}/hello`);
    assertEquals(await res.text(), "path=/hello");
    // The tunnel only accepts the pinned host: a client pinned for pinned.test cannot be used for other.test.
    const pinned = createPinnedClient(new URL(`https://pinned.test:${port}/`), "127.0.0.1", [ca]);
    try {
      await assertRejects(
        () => fetch(`https://other.test:${port}/`, { client: pinned.client } as RequestInit),
        TypeError,
      );
    } finally {
      pinned.release();
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("the caller's redirect mode is honoured: manual returns the 3xx, error refuses it", async () => {
  const stub = stubFetch(() => new Response(null, { status: 302, headers: { location: "https://b.example/" } }));
  const safe = createSafeFetch({
    env: "production",
    resolve: resolverFrom({ "a.example": ["93.184.216.34"] }),
    fetch: stub.fetch,
  });
  const manual = await safe("https://a.example/", { redirect: "manual" });
  assertEquals(manual.status, 302);
  assertEquals(manual.headers.get("location"), "https://b.example/");
  const err = await assertRejects(() => safe("https://a.example/", { redirect: "error" }), SafeFetchError);
  assertEquals(err.reason, "redirects");
  assertEquals(err.message, "a.example answered with a redirect, which this request refuses.");
  assertEquals(stub.calls.length, 2);
});

Deno.test("the default resolver maps localhost names to loopback without DNS (used only with the opt-in)", async () => {
  assertEquals(await resolveWithDeno("localhost"), ["127.0.0.1", "::1"]);
  assertEquals(await resolveWithDeno("alice.localhost"), ["127.0.0.1", "::1"]);
});

Deno.test("concurrency cap: beyond `max` outbound requests at once, a short wait, then a clear busy error", async () => {
  const gate = Promise.withResolvers<void>();
  let inFlight = 0;
  let peak = 0;
  const fetch: FetchLike = async () => {
    peak = Math.max(peak, ++inFlight);
    await gate.promise;
    inFlight--;
    return new Response("ok");
  };
  const slots = new OutboundSlots({ max: 2, waitMs: 50 });
  const safe = createSafeFetch({ env: "development", resolve: resolverFrom({}), fetch, slots });
  const url = (h: string) => `https://93.184.216.${h}/`;
  const held = [safe(url("1")), safe(url("2"))];
  const third = safe(url("3")).then(() => "answered", (err) => err);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hangGuard = new Promise((r) => timer = setTimeout(() => r("still waiting"), 2_000));
  const outcome = await Promise.race([third, hangGuard]);
  clearTimeout(timer);
  gate.resolve();
  await Promise.all(held);
  assertOk(outcome instanceof SafeFetchError, `third request: ${outcome}`);
  assertEquals(outcome.reason, "busy");
  assertIncludes(outcome.message, "busy");
  assertEquals(peak, 2);
  assertEquals((await safe(url("4"))).status, 200, "slots are released");
});

Deno.test("concurrency cap: a request that waits less than `waitMs` for a slot goes through", async () => {
  const gate = Promise.withResolvers<void>();
  const fetch: FetchLike = async () => {
    await gate.promise;
    return new Response("ok");
  };
  const slots = new OutboundSlots({ max: 1, waitMs: 5_000 });
  const safe = createSafeFetch({ env: "development", resolve: resolverFrom({}), fetch, slots });
  const first = safe("https://93.184.216.1/");
  const second = safe("https://93.184.216.2/");
  setTimeout(() => gate.resolve(), 20); // the subject: the second request waits ~20 ms (< waitMs) for the slot
  assertEquals([(await first).status, (await second).status], [200, 200]);
  assertEquals(slots.inUse, 0);
});
