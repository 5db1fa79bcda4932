/**
 * @module
 * Entry point: builds the app from configuration and serves it.
 *
 * A request's path through the code (see README.md "How a request travels"):
 * 1. `createApp().fetch` maps the request to a tenant with `Urls.resolve` (lib/urls.ts): the platform, or a wiki
 *    (by subdomain, or by the `/w/{slug}` prefix, which is stripped so wiki routes see paths relative to the wiki).
 * 2. The platform app or the wiki app (Hono) runs its middleware: security headers, body limit, and for wikis the
 *    wiki loader, which puts the WikiRecord and its PageStore on the context.
 * 3. A thin route module (routes/) parses input, calls lib/ (framework-free domain code), renders Preact or JSON.
 * 4. Errors: lib/errors.ts classes become readable pages or protocol errors; an unavailable store a 503
 *    (lib/kv/unavailable.ts); anything else a generic 500.
 */
import { setMeaningLayer } from "./lib/wiki/meaning/switch.ts";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type Config, loadConfig } from "./lib/config.ts";
import { openKv } from "./lib/kv/open.ts";
import { guardKv } from "./lib/kv/unavailable.ts";
import { Urls } from "./lib/urls.ts";
import { createWikis } from "./lib/wiki/wikis.ts";
import { loadKeyRing } from "./lib/keys.ts";
import { seedDemoWiki } from "./lib/wiki/demo.ts";
import { startMaintenance } from "./lib/wiki/maintenance.ts";
import type { AppDeps, PlatformEnv, WikiEnv } from "./routes/env.ts";
import { securityHeaders } from "./routes/_middleware/security.ts";
import { handleError, notFound } from "./routes/errors.tsx";
import { registerPlatform } from "./routes/platform/mod.ts";
import { registerWikiPages } from "./routes/wiki/mod.ts";
import { buildGitEndpoint, buildMcpEndpoint, registerWikiProtocol } from "./routes/wiki/protocol.ts";
import { buildPlatformDeps, STREAMED_UPLOAD_PATH } from "./routes/app/context.ts";
import { refuseOtherAudience, rootChallenge } from "./routes/platform/root_mcp.ts";
import { createWikiTokens } from "./lib/auth/tokens.ts";
import { createMcpFastPath } from "./lib/mcp/fast_path.ts";
import { loadWiki } from "./routes/wiki/load.ts";
import { loadSession } from "./routes/_middleware/session.ts";
import { createSessions } from "./lib/session/sessions.ts";
import { createOAuthServer } from "./lib/oauth/server.ts";
import type { OAuthDeps } from "./lib/oauth/context.ts";
import { createSafeFetch, type FetchLike, UNSAFE_ALLOW_LOOPBACK_FOR_TESTS } from "./lib/net/safe_fetch.ts";
import { createIdentityResolver, type IdentityResolver } from "./lib/atproto/identity.ts";
import { type AtprotoLogin, type AtprotoLoginDeps, createAtprotoLogin, LoginError } from "./lib/atproto/client.ts";
import { type ConnectionInfo, sourceOf } from "./lib/net/client_address.ts";
import { PROCESS_OUTBOUND_SLOTS } from "./lib/net/outbound_slots.ts";
import { FOREIGN_WIKI_DATA } from "./lib/platform/wiki_lifecycle.ts";
import { PlatformKeys } from "./lib/platform/store.ts";
import { checkKeyRegistry } from "./lib/platform/key_registry.ts";
import { type HeartbeatHandle, startHeartbeat } from "./lib/platform/heartbeat.ts";
import { RestoreKeys } from "./lib/kv/backup/restore.ts";
import { createRemoteLayer, type RemoteLayerOptions } from "./lib/wiki/meaning/remote_layer.ts";

/** A built app: a fetch handler plus its dependencies (tests use both). */
export interface App {
  /**
   * Serves a request. `info` is what `Deno.serve` passes its handler: the connection's remote address is the
   * client address the per-source limits count (lib/net/client_address.ts); without it the source is "unknown".
   */
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  deps: AppDeps;
}

/** Test seams of {@link createApp}; production passes none. */
export interface AppOptions {
  /**
   * Outbound fetch for client ID metadata documents (and, later, the ATProto login): tests pass an SSRF-safe fetch
   * created with the loopback opt-in. Default: the SSRF-safe fetch for the configured environment.
   */
  outboundFetch?: FetchLike;
  /** ATProto identity resolution (tests: one pointed at a local PLC and PDS through a loopback-enabled fetch). */
  identity?: IdentityResolver;
  /** Overrides of the authorization server's dependencies (clock, lifetimes). */
  oauth?: Partial<Pick<OAuthDeps, "now" | "settings">>;
  /**
   * Overrides of the ATProto sign-in's dependencies (tests: a loopback-enabled `fetch`, the local PLC, `allowHttp`,
   * a clock), or a whole replacement {@link AtprotoLogin} (unit tests of the routes).
   */
  atproto?: Partial<Omit<AtprotoLoginDeps, "kv" | "publicOrigin" | "keys">> | AtprotoLogin;
  /** Seams of the remote embedder (`EMBEDDINGS_URL`): its fetch, retries, breaker, log. */
  embeddings?: RemoteLayerOptions;
}

/**
 * Builds the app on an open KV store. The store is used through `guardKv` (lib/kv/unavailable.ts): a KV failure
 * becomes a KvUnavailableError, which every endpoint answers with a 503 the client can retry.
 */
export async function createApp(config: Config, store: Deno.Kv, options: AppOptions = {}): Promise<App> {
  checkKeyRegistry(); // two parts claiming one KV key type would share, and delete, each other's records
  setMeaningLayer(config.meaningLayer);
  const kv = guardKv(store);
  const urls = new Urls(config);
  // Null unless EMBEDDINGS_URL is set: then page writes are embedded by the remote model too (deferred).
  const embeddings = createRemoteLayer(kv, config.embeddings, options.embeddings);
  // Search by meaning asks it for the query's vector (timeout, breaker, cache; null: the static layer answers).
  const remote = embeddings
    ? {
      afterCommit: embeddings.afterCommit,
      remoteQueryVector: (q: string) => embeddings.queries.vector(q),
      remoteModel: embeddings.embedder.model,
    }
    : {};
  const wikis = createWikis({ kv, limits: config.limits, ...remote }, FOREIGN_WIKI_DATA);
  const keys = await loadKeyRing(kv, config);
  const sessions = createSessions({ kv, keys });
  const outboundFetch = options.outboundFetch ?? createSafeFetch({ env: config.env });
  const oauth = createOAuthServer({
    kv,
    keys,
    urls,
    fetch: outboundFetch,
    now: options.oauth?.now,
    settings: { ...config.oauth, ...options.oauth?.settings },
  });
  // ATPROTO_ALLOW_LOCAL_PDS (development only; loadConfig refuses it in production) lets sign-in reach a PDS on
  // this machine: http and loopback addresses, every hop still checked by the safe fetch.
  const local = config.atproto.allowLocalPds && config.env === "development";
  const atprotoFetch = local
    ? createSafeFetch({ env: config.env, allowHttp: true, allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS })
    : outboundFetch;
  const identity = options.identity ?? createIdentityResolver({
    fetch: atprotoFetch,
    slots: PROCESS_OUTBOUND_SLOTS, // DNS TXT lookups share the safe fetch's per-process cap
    plcDirectoryUrl: config.atproto.plcDirectoryUrl,
    handleResolverServiceUrl: config.atproto.handleResolverUrl,
    allowHttp: local,
  });
  const atproto = isAtprotoLogin(options.atproto) ? options.atproto : buildAtprotoLogin(config, {
    kv,
    publicOrigin: config.publicOrigin,
    keys,
    env: config.env,
    fetch: atprotoFetch,
    identity,
    plcDirectoryUrl: config.atproto.plcDirectoryUrl,
    allowHttp: local,
    ...options.atproto,
  });
  const tokens = createWikiTokens({ kv, keys });
  const core = { config, kv, urls, wikis, keys, sessions, oauth, identity, atproto, tokens, embeddings };
  // Services built once here, from the rest: routes read them from deps.
  const deps: AppDeps = { ...core, platform: buildPlatformDeps(core), mcp: buildMcpEndpoint(core) };

  const platform = new Hono<PlatformEnv>();
  platform.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  platform.use("*", securityHeaders());
  const platformBodyLimit = bodyLimit({ maxSize: config.limits.maxBodyBytes, onError: tooLarge });
  // The import upload has its own bounded streaming reader, up to the wiki's upload limit (routes/app/archive.tsx).
  platform.use("*", (c, next) => STREAMED_UPLOAD_PATH.test(c.req.path) ? next() : platformBodyLimit(c, next));
  platform.use("*", loadSession);
  platform.get("/healthz", async (c) => {
    await kv.get(PlatformKeys.healthProbe());
    return c.json({ status: "ok" }, 200, { "cache-control": "no-store" });
  });
  registerPlatform(platform);
  platform.notFound(notFound);
  platform.onError(handleError);

  const wiki = new Hono<WikiEnv>();
  wiki.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  wiki.use("*", securityHeaders());
  wiki.use("*", bodyLimit({ maxSize: config.limits.maxBodyBytes, onError: tooLarge }));
  registerWikiProtocol(wiki); // /.well-known/*, OAuth endpoints: they load the wiki themselves
  wiki.use("*", loadSession);
  wiki.use("*", loadWiki);
  registerWikiPages(wiki);
  wiki.notFound(notFound);
  wiki.onError(handleError);

  // `{wiki}/mcp` skips the wiki's Hono middleware (lib/mcp/fast_path.ts): the endpoint authenticates, limits its
  // body with a JSON-RPC error and gets the protocol security headers there.
  const mcpFast = createMcpFastPath(deps.mcp, { https: config.publicOrigin.startsWith("https:") });
  // `{wiki}/wiki.git/...` (lib/git/endpoint.ts): the read-only git view of the history, outside Hono likewise.
  const gitFast = buildGitEndpoint(core);

  return {
    deps,
    async fetch(request: Request, info?: ConnectionInfo): Promise<Response> {
      const url = new URL(request.url);
      if (config.maintenance && url.pathname !== "/healthz") return inMaintenance();
      const tenant = urls.resolve(url, request.headers.get("host"));
      const source = sourceOf(info);
      if (tenant.kind === "platform") {
        // Path mode with PRIMARY_WIKI: `{origin}/mcp` is that wiki's MCP endpoint, its challenge pointing at the
        // origin root's protected-resource metadata (routes/platform/root_metadata.ts).
        if (urls.primaryWiki !== null && url.pathname === "/mcp") {
          const refused = await refuseOtherAudience(deps, request, urls.primaryWiki, true);
          return refused ?? rootChallenge(await mcpFast(request, urls.primaryWiki, "/mcp")!, urls);
        }
        return await platform.fetch(request, { source });
      }
      if (tenant.kind === "unknown-host") {
        return new Response("Unknown host. robot.wtf serves its own domain and wiki subdomains only.\n", {
          status: 421,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      }
      if (tenant.slug === urls.primaryWiki && tenant.rest === "/mcp") {
        const refused = await refuseOtherAudience(deps, request, tenant.slug, false);
        if (refused) return refused;
      }
      const fast = mcpFast(request, tenant.slug, tenant.rest);
      if (fast) return await fast;
      const git = gitFast(request, tenant.slug, tenant.rest, source);
      if (git) return await git;
      // Concatenated, not resolved against the origin: a rest starting with `//` (`/w/alice//x`) would otherwise
      // read as a scheme-relative URL naming another host (or no valid URL at all).
      const inner = new URL(url.origin + tenant.rest + url.search);
      return await wiki.fetch(new Request(inner, request), { slug: tenant.slug, source });
    },
  };
}

/**
 * The sign-in flow. A public origin it cannot serve (http that is not loopback) stops a production start; in
 * development the app runs without sign-in, and the login form says why.
 */
function buildAtprotoLogin(config: Config, deps: AtprotoLoginDeps): AtprotoLogin {
  try {
    return createAtprotoLogin(deps);
  } catch (err) {
    if (config.env === "production") throw err;
    const why = err instanceof Error ? err.message : String(err);
    console.warn(`ATProto sign-in is disabled: ${why}`);
    const unavailable = () =>
      Promise.reject(new LoginError("login_failed", `Sign-in is not available on this instance: ${why}`));
    return {
      mode: "loopback",
      clientId: "",
      redirectUri: "",
      start: unavailable,
      finish: unavailable,
      logout: () => Promise.resolve(),
      oauthClient: unavailable,
    };
  }
}

function isAtprotoLogin(v: AppOptions["atproto"]): v is AtprotoLogin {
  return typeof (v as AtprotoLogin | undefined)?.start === "function";
}

/** Stops the process when its store holds an interrupted restore (lib/kv/backup/restore.ts): the data is partial. */
async function refusePartialRestore(kv: Deno.Kv): Promise<void> {
  if ((await kv.get(RestoreKeys.marker())).value === null) return;
  console.error(
    "This KV holds an interrupted restore (key restore_marker): its data is partial. Restore again into " +
      'an empty store (README.md "Backup and restore") before starting the app.',
  );
  Deno.exit(1);
}

/** Deletes the heartbeat on SIGINT/SIGTERM, then exits (a killed process's heartbeat expires on its own). */
function stopHeartbeatOnSignal(heart: HeartbeatHandle): void {
  const stop = () => void heart.stop().finally(() => Deno.exit(0));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, stop);
    } catch {
      // not supported here (SIGTERM on Windows)
    }
  }
}

/** The answer to every request but /healthz in maintenance mode (MAINTENANCE=1: a backup is running). */
function inMaintenance(): Response {
  return new Response("robot.wtf is down for maintenance (a backup is running). Please retry in a few minutes.\n", {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "120", "cache-control": "no-store" },
  });
}

function tooLarge(): Response {
  return new Response("Request body too large.\n", {
    status: 413,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

if (import.meta.main) {
  const config = loadConfig();
  const kv = await openKv(config.kvPath);
  await refusePartialRestore(kv);
  // Tells `deno task backup` this process may write (or, in maintenance mode, that it does not); before
  // createApp, which may write the key registry's secrets.
  stopHeartbeatOnSignal(await startHeartbeat(kv, { maintenance: config.maintenance }));
  const app = await createApp(config, kv);
  // In maintenance mode (a backup is running) the process writes nothing but its heartbeat.
  if (config.seedDemo && !config.maintenance) await seedDemoWiki(app.deps.wikis);
  // Every 5 minutes, unref'd: deletes staged blobs a crash left unpublished, finishes interrupted wiki purges.
  if (!config.maintenance) startMaintenance(kv, FOREIGN_WIKI_DATA);
  // With EMBEDDINGS_URL: the background re-embed job (one runner across instances; progress in the log and in
  // `deno task embeddings:status`).
  // Not in maintenance mode: the job writes.
  if (app.deps.embeddings && !config.maintenance) {
    console.log(
      `embeddings: page text is sent to ${config.embeddings!.endpoint} (${app.deps.embeddings.embedder.model})`,
    );
    app.deps.embeddings.startJob();
  }
  const tls = config.tls
    ? { cert: await Deno.readTextFile(config.tls.certFile), key: await Deno.readTextFile(config.tls.keyFile) }
    : {};
  Deno.serve({
    port: config.port,
    hostname: config.hostname,
    ...tls,
    onListen: ({ hostname, port }) => {
      console.log(`robot.wtf listening on ${hostname}:${port}; public origin ${config.publicOrigin}`);
      console.log(`demo wiki: ${app.deps.urls.wikiBase("demo")}/`);
    },
  }, app.fetch);
}
