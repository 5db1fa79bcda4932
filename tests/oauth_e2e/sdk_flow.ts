/**
 * @module
 * The MCP SDK's own OAuth client flow, shared by the v2 (`@modelcontextprotocol/client` 2.4.0) and v1
 * (`@modelcontextprotocol/sdk` 1.32.2) tests: the transport's `authProvider` and `auth()`, unmodified, against a
 * wiki on a real loopback socket: 401 challenge -> protected-resource metadata -> authorization-server metadata ->
 * client registration (DCR, or a client ID metadata document served by the app's injected outbound fetch) ->
 * authorize (the consent page approved in headless Chromium by the signed-in wiki owner) -> token -> `tools/call`
 * -> refresh -> `tools/call` with the new token. With `primaryWiki` (path mode, `PRIMARY_WIKI=alice`) the SDK is
 * pointed at `{origin}/mcp` and must go through the origin root's issuer (root metadata, `/register`, `/authorize`,
 * `/token`). Subdomain mode (`alice.localhost`) is reached by the SDK through a
 * custom fetch that uses the app socket as a proxy, and by Chromium through `--host-resolver-rules`.
 */
import {
  auth,
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import type { FetchLike } from "../../lib/net/safe_fetch.ts";
import {
  approveInChromium,
  CHROMIUM,
  exists,
  type Mode,
  OWNER,
  peerMissing,
  seenAt,
  signedInBrowser,
  startApp,
} from "./harness.ts";
import { v1Auth, V1Client, V1Transport, V1UnauthorizedError } from "./sdk_v1.ts";

/** Which SDK generation drives the flow. */
export type SdkGeneration = "v1" | "v2";

/** The pieces of an SDK generation the flow uses. */
interface Sdk {
  newClient(): { connect(t: unknown): Promise<void>; callTool(p: unknown): Promise<unknown>; close(): Promise<void> };
  newTransport(
    url: URL,
    provider: MemoryProvider,
    fetch: FetchLike,
  ): { finishAuth(cb: URLSearchParams): Promise<void> };
  auth(provider: MemoryProvider, serverUrl: string, fetch: FetchLike): Promise<string>;
  isUnauthorized(err: unknown): boolean;
}

// deno-lint-ignore no-explicit-any
type Any = any;

const SDKS: Record<SdkGeneration, Sdk> = {
  v2: {
    newClient: () => new Client({ name: "sdk-e2e-v2", version: "1.0.0" }) as Any,
    newTransport: (url, provider, fetch) => {
      // v2 takes the whole callback query: it validates iss (RFC 9207) before redeeming the code.
      return new StreamableHTTPClientTransport(url, { authProvider: provider, fetch });
    },
    auth: (provider, serverUrl, fetchFn) => auth(provider, { serverUrl, fetchFn }),
    isUnauthorized: (err) => err instanceof UnauthorizedError,
  },
  v1: {
    newClient: () => new V1Client({ name: "sdk-e2e-v1", version: "1.0.0" }) as Any,
    newTransport: (url, provider, fetch) => {
      const t = new V1Transport(url, { authProvider: provider as Any, fetch });
      const finish = t.finishAuth.bind(t);
      // v1 takes the code only.
      return Object.assign(t, { finishAuth: (cb: URLSearchParams) => finish(cb.get("code")!) });
    },
    auth: (provider, serverUrl, fetchFn) => v1Auth(provider as Any, { serverUrl, fetchFn }),
    isUnauthorized: (err) => err instanceof V1UnauthorizedError,
  },
};

/** Where the SDK client says the browser comes back (answered by Chromium itself: nothing listens there). */
const REDIRECT = "http://127.0.0.1:7363/callback";
/** The client ID metadata document URL of the CIMD runs (served by the app's injected outbound fetch). */
const CIMD_URL = "https://sdk-client.e2e.robot.wtf/oauth/client-metadata.json";

/** An in-memory OAuthClientProvider, as a CLI would implement it. */
class MemoryProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens[] = [];
  authUrl: URL | null = null;
  discovery: OAuthDiscoveryState | undefined;
  #verifier = "";
  readonly clientMetadataUrl?: string;

  constructor(cimd: boolean) {
    if (cimd) this.clientMetadataUrl = CIMD_URL;
  }
  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "SDK e2e client",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  state(): string {
    return "sdk-state-1";
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved.at(-1);
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved.push(tokens);
  }
  redirectToAuthorization(url: URL) {
    this.authUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.#verifier = v;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

/** The client's metadata document, as the app fetches it. */
function cimdDocument(): Record<string, unknown> {
  return {
    client_id: CIMD_URL,
    client_name: "SDK e2e client (metadata document)",
    redirect_uris: [REDIRECT],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}

/** Text of a tools/call result (fails on a tool error). */
function resultText(raw: unknown): string {
  const r = raw as { content?: unknown; isError?: boolean };
  const text = (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
  assertOk(r.isError !== true, `tool error: ${text}`);
  return text;
}

/**
 * Runs the whole flow with SDK generation `gen` in `mode`, registering by DCR or by metadata document, against the
 * wiki's own MCP URL or (`primaryWiki`, path mode) the origin root's `{origin}/mcp`, over TLS with `tls` (a
 * throwaway CA, as a deployment's https origin); fails the test on any
 * deviation. Skips loudly without Chromium (fails under CI=true).
 */
export async function sdkFlow(
  gen: SdkGeneration,
  mode: Mode,
  registration: "dcr" | "cimd",
  opts: { primaryWiki?: boolean; tls?: boolean } = {},
): Promise<void> {
  const sdk = SDKS[gen];
  if (!exists(CHROMIUM)) {
    peerMissing("Chromium (/usr/bin/chromium)", "apt-get install -y chromium");
    return;
  }
  const cimdFetched: string[] = [];
  const outbound: FetchLike = (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    cimdFetched.push(url);
    return Promise.resolve(
      url === CIMD_URL ? Response.json(cimdDocument()) : new Response("not found", { status: 404 }),
    );
  };
  const e = await startApp(mode, { outboundFetch: outbound, primaryWiki: opts.primaryWiki, tls: opts.tls });
  const label = `${gen}-${mode}${e.primary ? "-root" : ""}${e.caFile ? "-tls" : ""}-${registration}`;
  const note = `SDK ${label.replaceAll("-", " ")}`;
  const browser = await signedInBrowser(e);
  try {
    // Every request the SDK makes, with the bearer token it carried.
    const bearers: string[] = [];
    const sdkFetch: FetchLike = (input, init) => {
      const req = new Request(input, init);
      const a = req.headers.get("authorization");
      if (req.url === e.mcpUrl && a) bearers.push(a.replace(/^Bearer /, ""));
      return e.fetch(req);
    };
    const provider = new MemoryProvider(registration === "cimd");
    const connect = async () => {
      const client = new Client({ name: "sdk-e2e", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(e.mcpUrl), {
        authProvider: provider,
        fetch: sdkFetch,
      });
      await client.connect(transport);
      return { client, transport };
    };

    // 1. No token: the SDK discovers, registers and asks us to send the browser to /authorize.
    const first = sdk.newTransport(new URL(e.mcpUrl), provider, sdkFetch);
    let unauthorized = false;
    try {
      await sdk.newClient().connect(first);
    } catch (err) {
      unauthorized = sdk.isUnauthorized(err);
      if (!unauthorized) throw err;
    }
    assertOk(unauthorized, "connect without a token must end in UnauthorizedError");
    const authUrl = provider.authUrl;
    assertOk(authUrl, "the SDK did not start an authorization");
    assertEquals(authUrl.origin + authUrl.pathname, `${e.issuer}/authorize`);
    assertEquals(authUrl.searchParams.get("code_challenge_method"), "S256");
    assertEquals(authUrl.searchParams.get("resource"), e.mcpUrl);
    const clientId = authUrl.searchParams.get("client_id")!;
    const registered = e.seen.filter((s) => s.startsWith("POST ") && s.endsWith("/register"));
    if (registration === "dcr") {
      assertOk(clientId.startsWith("rwc_"), `DCR client id expected, got ${clientId}`);
      assertEquals(registered, [seenAt(e, "POST", "/register")], e.seen.join("\n"));
    } else {
      assertEquals(clientId, CIMD_URL);
      assertEquals(registered.length, 0, "a metadata-document client must not register");
    }
    // Discovery went through the protected-resource and authorization-server metadata documents.
    assertOk(e.seen.some((s) => s.includes("/.well-known/oauth-protected-resource")), e.seen.join("\n"));
    assertOk(e.seen.some((s) => s.includes("/.well-known/oauth-authorization-server")), e.seen.join("\n"));
    assertEquals(provider.discovery?.authorizationServerUrl, e.issuer);
    assertEquals(provider.discovery?.authorizationServerMetadata?.issuer, e.issuer);
    assertEquals(provider.discovery?.resourceMetadata?.resource, e.mcpUrl);

    // 2. The owner approves in Chromium; the browser lands on the client's callback with code, state and iss.
    const consent = await approveInChromium(browser, authUrl.href, REDIRECT, {
      intercept: true,
      screenshot: `consent-sdk-${label}`,
    });
    assertIncludes(consent.heading, registration === "dcr" ? "SDK e2e client" : "SDK e2e client (metadata document)");
    assertIncludes(consent.text, "127.0.0.1");
    assertIncludes(consent.text, `@${OWNER.handle}`);
    if (registration === "cimd") {
      assertIncludes(consent.text, "sdk-client.e2e.robot.wtf");
      assertOk(cimdFetched.includes(CIMD_URL), `the app never fetched ${CIMD_URL}`);
    }
    const cb = consent.callback.searchParams;
    assertEquals(cb.get("state"), "sdk-state-1");
    assertEquals(cb.get("iss"), e.issuer);
    assertOk(cb.get("code"), "no code on the callback");

    // 3. The SDK redeems the code (validating iss first), then calls tools with the access token.
    await first.finishAuth(cb);
    assertOk(e.seen.includes(seenAt(e, "POST", "/token")), e.seen.join("\n"));
    assertEquals(provider.saved.length, 1);
    const t1 = provider.saved[0];
    assertEquals(t1.token_type.toLowerCase(), "bearer");
    assertOk(t1.access_token.startsWith("rwat_") && t1.refresh_token, JSON.stringify(t1));
    assertEquals(t1.scope, "wiki:read wiki:write");
    const { client } = await connect();
    const write = await client.callTool({
      name: "write_note",
      arguments: { path: note, content: "# Written over OAuth\n" },
    });
    resultText(write);
    const read = await client.callTool({
      name: "read_note",
      arguments: { path: note },
    });
    assertIncludes(resultText(read), "Written over OAuth");
    assertEquals(bearers.at(-1), t1.access_token);
    const page = await e.app.deps.wikis.pages(e.wiki).read(note);
    assertIncludes(page.content, "Written over OAuth");

    // 4. auth() with stored tokens refreshes; the rotated pair is used on the next call.
    assertEquals(await sdk.auth(provider, e.mcpUrl, sdkFetch), "AUTHORIZED");
    assertEquals(provider.saved.length, 2, "auth() with a refresh token must refresh");
    assertEquals(e.seen.filter((s) => s === seenAt(e, "POST", "/token")).length, 2, e.seen.join("\n"));
    const t2 = provider.saved[1];
    assertOk(t2.access_token !== t1.access_token, "expected a new value");
    assertOk(t2.refresh_token !== t1.refresh_token, "expected a new value");
    assertOk(t2.refresh_token, "the refresh answer must rotate the refresh token");
    const again = await client.callTool({
      name: "read_note",
      arguments: { path: note },
    });
    assertIncludes(resultText(again), "Written over OAuth");
    assertEquals(bearers.at(-1), t2.access_token);
    await client.close();
  } finally {
    await browser.close();
    await e.close();
  }
}
