import { assertEquals, assertOk, assertRejects, assertThrows } from "../assert.ts";
import {
  atprotoHandleResolver,
  createIdentityResolver,
  IdentityError,
  type IdentityOptions,
  normalizeLoginInput,
  parseDidDocument,
} from "../../lib/atproto/identity.ts";
import {
  createSafeFetch,
  type FetchLike,
  SafeFetchError,
  UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
} from "../../lib/net/safe_fetch.ts";

const ALICE = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
const BOB = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";

function didDoc(did: string, handle: string | null, pds: string, extra: Record<string, unknown> = {}) {
  return {
    "@context": ["https://www.w3.org/ns/did/v1"],
    id: did,
    alsoKnownAs: handle ? [`at://${handle}`] : [],
    service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: pds }],
    ...extra,
  };
}

/** A local fake of handle web sites, the PLC directory, did:web, a PDS, its AS and an XRPC handle resolver. */
interface Fake {
  origin: string;
  port: number;
  wellKnown: Map<string, string>;
  plc: Map<string, unknown>;
  didWeb: unknown;
  xrpc: Map<string, string>;
  asIssuer: string | null;
  authServers: unknown;
  requests: string[];
  close(): Promise<void>;
}

function startFake(): Fake {
  const fake = {
    wellKnown: new Map<string, string>(),
    plc: new Map<string, unknown>(),
    didWeb: null as unknown,
    xrpc: new Map<string, string>(),
    asIssuer: null as string | null,
    authServers: undefined as unknown,
    requests: [] as string[],
  } as Fake;
  const json = (body: unknown, init?: ResponseInit) => Response.json(body, init);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    fake.requests.push(path + url.search);
    let m: RegExpExecArray | null;
    if ((m = /^\/handles\/([^/]+)\/\.well-known\/atproto-did$/.exec(path))) {
      const did = fake.wellKnown.get(m[1]);
      return did ? new Response(did + "\n") : new Response("no", { status: 404 });
    }
    if ((m = /^\/plc\/(.+)$/.exec(path))) {
      const doc = fake.plc.get(decodeURIComponent(m[1]));
      return doc ? json(doc) : json({ message: "DID not registered" }, { status: 404 });
    }
    if (path === "/.well-known/did.json") return fake.didWeb ? json(fake.didWeb) : new Response("", { status: 404 });
    if (path === "/xrpc/com.atproto.identity.resolveHandle") {
      const did = fake.xrpc.get(url.searchParams.get("handle") ?? "");
      return did ? json({ did }) : json({ error: "InvalidRequest" }, { status: 400 });
    }
    if (path === "/.well-known/oauth-protected-resource") {
      return json({ resource: fake.origin, authorization_servers: fake.authServers ?? [fake.origin] });
    }
    if (path === "/.well-known/oauth-authorization-server") {
      return json({ issuer: fake.asIssuer ?? fake.origin, authorization_endpoint: `${fake.origin}/oauth/authorize` });
    }
    return new Response("not found", { status: 404 });
  });
  fake.port = server.addr.port;
  fake.origin = `http://localhost:${fake.port}`;
  fake.close = () => server.shutdown();
  return fake;
}

function loopbackFetch(): FetchLike {
  return createSafeFetch({
    env: "development",
    allowHttp: true,
    allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    resolve: (h) => Promise.resolve(h === "localhost" ? ["127.0.0.1"] : []),
  });
}

function resolverFor(fake: Fake, txt: Record<string, string[]> = {}, extra: Partial<IdentityOptions> = {}) {
  const txtQueries: string[] = [];
  const identity = createIdentityResolver({
    fetch: loopbackFetch(),
    allowHttp: true,
    plcDirectoryUrl: `${fake.origin}/plc`,
    resolveTxt: (name) => {
      txtQueries.push(name);
      return Promise.resolve(txt[name] ?? []);
    },
    handleWellKnownUrl: (h) => `${fake.origin}/handles/${h}/.well-known/atproto-did`,
    ...extra,
  });
  return { identity, txtQueries };
}

async function withFake(fn: (fake: Fake) => Promise<void>) {
  const fake = startFake();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

Deno.test("normalizeLoginInput: handles, DIDs and URLs", () => {
  assertEquals(normalizeLoginInput("  @Alice.Example.COM "), { kind: "handle", handle: "alice.example.com" });
  assertEquals(normalizeLoginInput("alice"), { kind: "handle", handle: "alice.bsky.social" });
  assertEquals(normalizeLoginInput("@Bob"), { kind: "handle", handle: "bob.bsky.social" });
  assertEquals(normalizeLoginInput("alice.test."), { kind: "handle", handle: "alice.test" });
  assertEquals(normalizeLoginInput(` ${ALICE} `), { kind: "did", did: ALICE });
  assertEquals(normalizeLoginInput("did:web:example.com"), { kind: "did", did: "did:web:example.com" });
  assertEquals(normalizeLoginInput("did:web:localhost%3A2583"), { kind: "did", did: "did:web:localhost%3A2583" });
  assertEquals(normalizeLoginInput("https://PDS.example.com/"), { kind: "url", url: "https://pds.example.com" });
  assertEquals(normalizeLoginInput("http://localhost:2583", { allowHttp: true }), {
    kind: "url",
    url: "http://localhost:2583",
  });
});

Deno.test("normalizeLoginInput: clear errors for anything else", () => {
  const cases: [string, string, string][] = [
    ["", "invalid-input", "Enter your handle (like alice.bsky.social), DID or PDS URL."],
    ["   ", "invalid-input", "Enter your handle (like alice.bsky.social), DID or PDS URL."],
    ["ali ce", "invalid-input", `"ali ce" is not a valid handle. Check the spelling, or enter your DID or PDS URL.`],
    ["alice..example", "invalid-input", "is not a valid handle"],
    ["-alice.example", "invalid-input", "is not a valid handle"],
    ["alice.123", "invalid-input", "is not a valid handle"],
    ["@", "invalid-input", "is not a valid handle"],
    ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did-unsupported", "Use did:plc or did:web."],
    ["did:plc:short", "invalid-input", "did:plc:short is not a valid DID."],
    ["did:web:example.com:user:alice", "invalid-input", "is not a valid DID"],
    ["http://pds.example.com", "invalid-input", "A PDS URL must start with https:// (got http://pds.example.com)."],
    ["https://pds.example.com/some/path", "invalid-input", "Enter just the server address"],
    ["https://user@pds.example.com", "invalid-input", "Enter just the server address"],
  ];
  for (const [input, code, message] of cases) {
    const err = assertThrows(() => normalizeLoginInput(input), IdentityError, message);
    assertEquals(err.code, code, input);
    assertEquals(err.status, 422);
  }
});

Deno.test("handle via DNS TXT, verified against the DID document", async () => {
  await withFake(async (fake) => {
    fake.plc.set(ALICE, didDoc(ALICE, "alice.example", fake.origin));
    const { identity, txtQueries } = resolverFor(fake, { "_atproto.alice.example": [`did=${ALICE}`, "other=x"] });
    assertEquals(await identity.resolveIdentity("@Alice.Example"), {
      did: ALICE,
      handle: "alice.example",
      pdsUrl: fake.origin,
    });
    assertEquals(txtQueries, ["_atproto.alice.example"]);
    // The HTTPS method was tried as well (and answered 404).
    assertEquals(fake.requests.includes("/handles/alice.example/.well-known/atproto-did"), true);
  });
});

Deno.test("handle via HTTPS well-known when DNS has nothing", async () => {
  await withFake(async (fake) => {
    fake.wellKnown.set("alice.example", ALICE);
    fake.plc.set(ALICE, didDoc(ALICE, "alice.example", fake.origin));
    const { identity } = resolverFor(fake);
    assertEquals(await identity.resolveHandle("alice.example"), ALICE);
    assertEquals((await identity.resolveIdentity("alice.example")).handle, "alice.example");
  });
});

Deno.test("DNS and HTTPS agreeing is fine; disagreeing is an error", async () => {
  await withFake(async (fake) => {
    fake.wellKnown.set("alice.example", ALICE);
    const agree = resolverFor(fake, { "_atproto.alice.example": [`did=${ALICE}`] }).identity;
    assertEquals(await agree.resolveHandle("alice.example"), ALICE);
    const { identity } = resolverFor(fake, { "_atproto.alice.example": [`did=${BOB}`] });
    const err = await assertRejects(() => identity.resolveHandle("alice.example"), IdentityError);
    assertEquals(err.code, "handle-conflict");
    assertEquals(
      err.message,
      `The handle alice.example is set up inconsistently: its DNS record points to ${BOB} but its website points to ${ALICE}. Its owner needs to fix one of them; meanwhile you can sign in with your DID or PDS URL.`,
    );
  });
});

Deno.test("ambiguous or malformed TXT records do not resolve", async () => {
  await withFake(async (fake) => {
    const two = resolverFor(fake, { "_atproto.a.example": [`did=${ALICE}`, `did=${BOB}`] }).identity;
    assertEquals(await two.lookupHandle("a.example"), null);
    const bad = resolverFor(fake, { "_atproto.a.example": ["did=did:plc:nope"] }).identity;
    assertEquals(await bad.lookupHandle("a.example"), null);
  });
});

Deno.test("unknown handle: a message a person understands", async () => {
  await withFake(async (fake) => {
    const { identity } = resolverFor(fake);
    const err = await assertRejects(() => identity.resolveIdentity("nobody.example"), IdentityError);
    assertEquals(err.code, "unknown-handle");
    assertEquals(
      err.message,
      "We couldn't find the handle nobody.example. Check the spelling, or enter your DID or PDS URL.",
    );
  });
});

Deno.test("XRPC resolveHandle service is the last resort (test PDS handles such as alice.test)", async () => {
  await withFake(async (fake) => {
    fake.xrpc.set("alice.test", ALICE);
    fake.plc.set(ALICE, didDoc(ALICE, "alice.test", fake.origin));
    const without = resolverFor(fake).identity;
    assertEquals(await without.lookupHandle("alice.test"), null);
    const { identity } = resolverFor(fake, {}, { handleResolverServiceUrl: fake.origin });
    assertEquals(await identity.resolveIdentity("alice.test"), {
      did: ALICE,
      handle: "alice.test",
      pdsUrl: fake.origin,
    });
    assertEquals(fake.requests.includes("/xrpc/com.atproto.identity.resolveHandle?handle=alice.test"), true);
  });
});

Deno.test("mismatched handle: the DID document does not claim the handle that pointed to it", async () => {
  await withFake(async (fake) => {
    fake.wellKnown.set("mallory.example", ALICE);
    fake.plc.set(ALICE, didDoc(ALICE, "alice.example", fake.origin));
    const { identity } = resolverFor(fake);
    const err = await assertRejects(() => identity.resolveIdentity("mallory.example"), IdentityError);
    assertEquals(err.code, "handle-mismatch");
    assertEquals(
      err.message,
      `The handle mallory.example points to the account ${ALICE}, but that account says its handle is alice.example. The handle isn't set up correctly; sign in with your DID or PDS URL.`,
    );
  });
});

Deno.test("DID input: handle verified when it points back, else null with the reason", async () => {
  await withFake(async (fake) => {
    fake.plc.set(ALICE, didDoc(ALICE, "alice.example", fake.origin));
    fake.plc.set(BOB, didDoc(BOB, "alice.example", fake.origin)); // Bob claims Alice's handle
    fake.wellKnown.set("alice.example", ALICE);
    const { identity } = resolverFor(fake);
    assertEquals(await identity.resolveIdentity(ALICE), { did: ALICE, handle: "alice.example", pdsUrl: fake.origin });
    assertEquals(await identity.resolveIdentity(BOB), {
      did: BOB,
      handle: null,
      pdsUrl: fake.origin,
      handleProblem:
        `The account says its handle is alice.example, but that handle does not point back to ${BOB}, so it is shown as handle.invalid.`,
    });
  });
});

Deno.test("did:web with a percent-encoded port (localhost over http in tests)", async () => {
  await withFake(async (fake) => {
    const did = `did:web:localhost%3A${fake.port}`;
    fake.didWeb = didDoc(did, "web.example", fake.origin);
    fake.wellKnown.set("web.example", did);
    const { identity } = resolverFor(fake);
    assertEquals(await identity.resolveDid(did), { did, claimedHandle: "web.example", pdsUrl: fake.origin });
    assertEquals(await identity.resolveIdentity("web.example"), { did, handle: "web.example", pdsUrl: fake.origin });
    assertEquals(fake.requests.includes("/.well-known/did.json"), true);
  });
});

Deno.test("did:web over https by default, paths refused, unknown methods unsupported", async () => {
  const calls: string[] = [];
  const identity = createIdentityResolver({
    fetch: (input) => {
      calls.push(String(input));
      return Promise.resolve(new Response("", { status: 404 }));
    },
  });
  const err = await assertRejects(() => identity.resolveDid("did:web:example.com"), IdentityError);
  assertEquals(err.code, "did-not-found");
  assertEquals(calls, ["https://example.com/.well-known/did.json"]);
  await identity.resolveDid(ALICE).catch(() => {});
  assertEquals(calls[1], `https://plc.directory/${ALICE}`);
  assertEquals(
    (await assertRejects(() => identity.resolveDid("did:web:example.com:u:alice"), IdentityError)).code,
    "did-doc-invalid",
  );
  assertEquals((await assertRejects(() => identity.resolveDid("did:key:z6Mk"), IdentityError)).code, "did-unsupported");
  assertEquals(calls.length, 2);
});

Deno.test("invalid DID documents are refused with the reason", () => {
  const pds = "https://pds.example.com";
  const cases: [unknown, string][] = [
    [null, "not a JSON object"],
    [[], "not a JSON object"],
    [didDoc(BOB, "a.example", pds), `its id is "${BOB}"`],
    [{ id: ALICE }, "it lists no services"],
    [{ id: ALICE, service: [] }, "it has no #atproto_pds service"],
    [
      { id: ALICE, service: [{ id: "#atproto_pds", type: "Other", serviceEndpoint: pds }] },
      "its #atproto_pds service has the wrong type",
    ],
    [didDoc(ALICE, "a.example", "not a url"), "its PDS endpoint is not a URL"],
    [didDoc(ALICE, "a.example", "http://pds.example.com"), "its PDS endpoint http://pds.example.com is not https"],
    [didDoc(ALICE, "a.example", "https://u:p@pds.example.com"), "its PDS endpoint is malformed"],
  ];
  for (const [doc, why] of cases) {
    const err = assertThrows(() => parseDidDocument(ALICE, doc), IdentityError);
    assertEquals(err.code, "did-doc-invalid");
    assertEquals(err.message, `The DID document of ${ALICE} is invalid: ${why}.`);
  }
  // Full-DID service id, and a document without a valid handle alias.
  const full = {
    id: ALICE,
    alsoKnownAs: ["at://not a handle"],
    service: [{ id: `${ALICE}#atproto_pds`, type: "AtprotoPersonalDataServer", serviceEndpoint: pds + "/" }],
  };
  assertEquals(parseDidDocument(ALICE, full), { did: ALICE, claimedHandle: null, pdsUrl: pds });
  assertEquals(
    parseDidDocument(ALICE, didDoc(ALICE, "A.Example", "http://localhost:1"), true).claimedHandle,
    "a.example",
  );
});

Deno.test("DID documents from the fake PLC: not found and invalid JSON content", async () => {
  await withFake(async (fake) => {
    const { identity } = resolverFor(fake, {}, { negativeCache: false }); // the same DID fails twice, differently
    const missing = await assertRejects(() => identity.resolveDid(ALICE), IdentityError);
    assertEquals(missing.code, "did-not-found");
    assertEquals(missing.message, `The account ${ALICE} does not exist (or was deleted).`);
    fake.plc.set(ALICE, { id: ALICE, service: "nope" });
    assertEquals((await assertRejects(() => identity.resolveDid(ALICE), IdentityError)).code, "did-doc-invalid");
  });
});

Deno.test("authorization server discovery: PDS -> AS with exact issuer", async () => {
  await withFake(async (fake) => {
    const { identity } = resolverFor(fake);
    const as = await identity.resolveAuthServer(fake.origin);
    assertEquals(as.issuer, fake.origin);
    assertEquals(as.metadata.authorization_endpoint, `${fake.origin}/oauth/authorize`);
    assertEquals(fake.requests.slice(-2), [
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-authorization-server",
    ]);
  });
});

Deno.test("authorization server discovery: issuer mismatch and missing servers are refused", async () => {
  await withFake(async (fake) => {
    const { identity } = resolverFor(fake, {}, { negativeCache: false }); // one server, several failures in turn
    fake.asIssuer = "https://evil.example";
    const err = await assertRejects(() => identity.resolveAuthServer(fake.origin), IdentityError);
    assertEquals(err.code, "auth-server-invalid");
    assertEquals(
      err.message,
      `The sign-in server ${fake.origin} claims to be https://evil.example; refusing to continue.`,
    );
    fake.asIssuer = null;
    fake.authServers = [];
    assertEquals(
      (await assertRejects(
        () => identity.resolveAuthServer(fake.origin),
        IdentityError,
        "does not name a sign-in server",
      ))
        .code,
      "pds-unreachable",
    );
    fake.authServers = [`${fake.origin}/path`];
    assertEquals(
      (await assertRejects(() => identity.resolveAuthServer(fake.origin), IdentityError, "must be an origin")).code,
      "auth-server-invalid",
    );
  });
});

Deno.test("authorization server discovery goes through the SSRF guard", async () => {
  const calls: string[] = [];
  const safe = createSafeFetch({
    env: "production",
    resolve: (h) => Promise.resolve(h === "pds.example" ? ["10.0.0.9"] : ["93.184.216.34"]),
    fetch: (input) => {
      calls.push(String(input));
      return Promise.resolve(new Response("{}"));
    },
  });
  const identity = createIdentityResolver({ fetch: safe, resolveTxt: () => Promise.resolve([]) });
  const err = await assertRejects(() => identity.resolveAuthServer("https://pds.example"), IdentityError);
  assertEquals(err.code, "pds-unreachable");
  assertEquals(
    err.message,
    "We couldn't reach your PDS at https://pds.example (pds.example points to a private or reserved address (10.0.0.9); only public addresses can be fetched.). Try again later.",
  );
  assertEquals(calls, []);
  assertEquals(
    (await assertRejects(() => identity.resolveAuthServer("http://pds.example"), IdentityError, "must use https")).code,
    "pds-unreachable",
  );
});

Deno.test("atprotoHandleResolver adapts lookupHandle for @atproto/oauth-client", async () => {
  await withFake(async (fake) => {
    fake.wellKnown.set("alice.example", ALICE);
    const resolver = atprotoHandleResolver(resolverFor(fake).identity);
    assertEquals(await resolver.resolve("alice.example"), ALICE);
    assertEquals(await resolver.resolve("nobody.example"), null);
    assertEquals(await resolver.resolve("not a handle"), null);
  });
});

Deno.test("negative cache: a failing handle, DID or PDS resolved again within 2 minutes makes no outbound call", async () => {
  await withFake(async (fake) => {
    let t = 1_800_000_000_000;
    const { identity, txtQueries } = resolverFor(fake, {}, { now: () => t });
    const calls = () => fake.requests.length + txtQueries.length;
    const first = await assertRejects(() => identity.resolveIdentity("nobody.example"), IdentityError);
    const after = calls();
    assertOk(after >= 2, "DNS and HTTPS were asked");
    const again = await assertRejects(() => identity.resolveIdentity("nobody.example"), IdentityError);
    assertEquals([again.code, again.message], [first.code, first.message]);
    assertEquals(calls(), after, "the second resolution made no outbound call");

    await assertRejects(() => identity.resolveDid(ALICE), IdentityError); // not in the fake PLC
    await assertRejects(() => identity.resolveAuthServer("http://localhost:1"), IdentityError); // nothing listens
    const n = calls();
    assertEquals((await assertRejects(() => identity.resolveDid(ALICE), IdentityError)).code, "did-not-found");
    await assertRejects(() => identity.resolveAuthServer("http://localhost:1"), IdentityError);
    assertEquals(calls(), n);

    t += 2 * 60_000 + 1; // the failures expire: asked again
    fake.wellKnown.set("nobody.example", ALICE);
    fake.plc.set(ALICE, didDoc(ALICE, "nobody.example", fake.origin));
    assertEquals((await identity.resolveIdentity("nobody.example")).did, ALICE);
    assertOk(calls() > n);
  });
});

Deno.test("negative cache: successes and busy answers are not cached", async () => {
  await withFake(async (fake) => {
    const { identity } = resolverFor(fake, { "_atproto.alice.example": [`did=${ALICE}`] });
    fake.plc.set(ALICE, didDoc(ALICE, "alice.example", fake.origin));
    await identity.resolveIdentity("alice.example");
    const n = fake.requests.length;
    await identity.resolveIdentity("alice.example");
    assertOk(fake.requests.length > n, "a success is resolved again (only failures are cached)");

    let busy = true;
    const flaky = createIdentityResolver({
      fetch: (input, init) =>
        busy
          ? Promise.reject(new SafeFetchError("busy", "Too many outbound requests are in progress."))
          : loopbackFetch()(input, init),
      allowHttp: true,
      plcDirectoryUrl: `${fake.origin}/plc`,
      resolveTxt: () => Promise.resolve([]),
      handleWellKnownUrl: (h) => `${fake.origin}/handles/${h}/.well-known/atproto-did`,
    });
    const err = await assertRejects(() => flaky.resolveDid(ALICE), IdentityError);
    assertEquals([err.code, err.status], ["busy", 503]);
    busy = false;
    assertEquals((await flaky.resolveDid(ALICE)).did, ALICE, "busy was not cached");
  });
});
