/**
 * @module
 * Application configuration, read once from environment variables with safe local defaults.
 *
 * Every setting lives here; nothing else in `lib/` reads `Deno.env`. See README.md for the table.
 */

/** How wikis are addressed. */
export type AddressingMode = "path" | "subdomain";

/** Numeric limits the app enforces. */
export interface Limits {
  /** Largest HTTP request body accepted anywhere, in bytes (attachments are base64 inside JSON, hence > 10 MB). */
  maxBodyBytes: number;
  /** Largest page content, in UTF-8 bytes. */
  maxPageBytes: number;
  /** Largest attachment, in bytes. */
  maxAttachmentBytes: number;
  /** Default page quota for a new wiki. */
  quotaPages: number;
  /** Default storage quota for a new wiki (page content plus attachments), in bytes. */
  quotaBytes: number;
  /**
   * Largest MCP tool result, in characters of its text (`MCP_RESULT_BUDGET_CHARS`, default 80,000: under the ~25k
   * tokens at which Claude Code truncates). Longer results are cut and say how to get the rest (lib/mcp/budget.ts).
   */
  resultBudgetChars: number;
}

/** Default and smallest accepted value of `MCP_RESULT_BUDGET_CHARS`. */
export const RESULT_BUDGET = { default: 80_000, min: 2_000 } as const;

/** The whole configuration of one app instance. */
export interface Config {
  /** `development` on a local machine, `production` on Deno Deploy or when `ROBOT_ENV=production`. */
  env: "development" | "production";
  /** Port to listen on (`PORT`). */
  port: number;
  /** Interface to bind (`HOSTNAME`). */
  hostname: string;
  /** Public origin of the platform, no trailing slash (`PUBLIC_ORIGIN`), e.g. `https://robot.wtf`. */
  publicOrigin: string;
  /** `subdomain` when `WIKI_DOMAIN` is set, else `path`. */
  addressing: AddressingMode;
  /** Parent domain of wiki hosts in subdomain mode (`WIKI_DOMAIN`), e.g. `robot.wtf` or `localhost`. */
  wikiDomain: string | null;
  /**
   * Path mode only (`PRIMARY_WIKI`, a wiki slug, default unset): the wiki the origin root serves as a distinct OAuth
   * issuer `{origin}` with MCP at `{origin}/mcp` (for Claude.ai, which falls back to root endpoints). Never chosen
   * automatically: a second wiki must not silently re-point live connectors.
   */
  primaryWiki: string | null;
  /**
   * Deno KV location (`KV_PATH`): a file path, `:memory:`, a KV Connect URL (`http(s)://`, a `denokv` server shared
   * by several processes; token in `DENO_KV_ACCESS_TOKEN`), or `null` for the platform default (Deno Deploy).
   */
  kvPath: string | null;
  /** PEM certificate and key for TLS (`TLS_CERT_FILE`, `TLS_KEY_FILE`), read at start. */
  tls: { certFile: string; keyFile: string } | null;
  /** Key material from the environment (`ROBOT_KEYS`, JSON), required in production; see lib/keys.ts. */
  keysJson: string | null;
  /** Seed the public `demo` wiki on start (`SEED_DEMO`, default on in development). */
  seedDemo: boolean;
  /**
   * Maintenance mode (`MAINTENANCE`, default off): every request but `/healthz` is answered 503 with Retry-After, so
   * the app writes nothing while the operator backs the store up (README.md "Backup and restore").
   */
  maintenance: boolean;
  /** Search by meaning as well as by terms (`MEANING_LAYER`, default on; lib/wiki/meaning/switch.ts). */
  meaningLayer: boolean;
  /** Numeric limits. */
  limits: Limits;
  /** Wikis a person may own (`WIKIS_PER_USER`, default 1, as in the existing service). */
  wikisPerUser: number;
  /** ATProto sign-in settings. */
  atproto: AtprotoConfig;
  /** Lifetimes of the OAuth tokens the wikis issue to MCP clients (docs/oauth.md says why these defaults). */
  oauth: OAuthLifetimes;
  /**
   * The optional remote embedder (`EMBEDDINGS_URL` and friends), or null when unset: then no page text ever leaves
   * the service and the static meaning layer alone serves search by meaning.
   */
  embeddings: EmbeddingsConfig | null;
}

/**
 * An OpenAI-compatible embeddings endpoint chosen by the operator (issue 12 item 4). The URL is trusted: it may be
 * loopback or private (a local model server), so it is fetched with a plain `fetch` (lib/wiki/meaning/remote_http.ts),
 * not the SSRF-safe one. Page text is sent to it.
 */
export interface EmbeddingsConfig {
  /**
   * Where embeddings are POSTed: `EMBEDDINGS_URL` as given when it ends in `/embeddings`, plus `/embeddings` when it
   * ends in `/v1`, else plus `/v1/embeddings` (so `http://127.0.0.1:11434`, `https://api.openai.com/v1` and
   * `https://host/v1/embeddings` all work).
   */
  endpoint: string;
  /** Model name sent with every request (`EMBEDDINGS_MODEL`, required with the URL). */
  model: string;
  /** Bearer token (`EMBEDDINGS_KEY`), or null for servers that need none. */
  key: string | null;
  /**
   * Vector length (`EMBEDDINGS_DIMENSIONS`): when set, sent as `dimensions` and every vector must have it; when
   * null, the first reply fixes the length and later replies must match it.
   */
  dimensions: number | null;
  /** Texts per request (`EMBEDDINGS_BATCH_SIZE`, default 32, 1-2048). */
  batchSize: number;
  /** Time allowed for one request, in ms (`EMBEDDINGS_TIMEOUT_MS`, default 20,000). */
  timeoutMs: number;
}

/** Defaults and bounds of the embeddings settings. */
export const EMBEDDINGS_DEFAULTS = { batchSize: 32, maxBatchSize: 2048, timeoutMs: 20_000, maxDimensions: 8192 };

/** OAuth token lifetimes, in milliseconds. */
export interface OAuthLifetimes {
  /** Access tokens (`OAUTH_ACCESS_TOKEN_HOURS`, default 8). */
  accessTokenTtlMs: number;
  /** Refresh tokens, sliding: each rotation starts a new period (`OAUTH_REFRESH_TOKEN_DAYS`, default 60). */
  refreshTokenTtlMs: number;
}

/** ATProto sign-in settings (docs/atproto-login.md). */
export interface AtprotoConfig {
  /** PLC directory for `did:plc` documents (`ATPROTO_PLC_URL`, default `https://plc.directory`). */
  plcDirectoryUrl: string;
  /**
   * Optional XRPC service answering `com.atproto.identity.resolveHandle` (`ATPROTO_HANDLE_RESOLVER_URL`), tried
   * after DNS and HTTPS; needed for handles that resolve no other way (a local test PDS's `alice.test`). Default none.
   */
  handleResolverUrl: string | null;
  /**
   * Let sign-in reach a PDS, PLC or handle resolver on this machine over http (`ATPROTO_ALLOW_LOCAL_PDS`, default
   * off). Development only: loadConfig refuses it in production.
   */
  allowLocalPds: boolean;
}

/** Defaults for {@link Limits}; quotas follow the existing service (500 pages, 50 MB). */
export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 15 * 1024 * 1024,
  maxPageBytes: 1_000_000,
  maxAttachmentBytes: 10 * 1024 * 1024,
  quotaPages: 500,
  quotaBytes: 50 * 1024 * 1024,
  resultBudgetChars: RESULT_BUDGET.default,
};

/** Reads a configuration from an environment lookup (defaults to `Deno.env.get`). Throws on invalid values. */
export function loadConfig(get: (name: string) => string | undefined = (n) => Deno.env.get(n)): Config {
  const onDeploy = Boolean(get("DENO_DEPLOYMENT_ID"));
  const env = get("ROBOT_ENV") === "production" || onDeploy ? "production" : "development";
  const port = intVar(get, "PORT", 8000);
  const hostname = get("HOSTNAME") ?? (env === "production" ? "0.0.0.0" : "127.0.0.1");
  const tlsCert = get("TLS_CERT_FILE");
  const tlsKey = get("TLS_KEY_FILE");
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new Error("TLS_CERT_FILE and TLS_KEY_FILE must be set together");
  const scheme = tlsCert ? "https" : "http";
  const publicOrigin = normalizeOrigin(get("PUBLIC_ORIGIN") ?? `${scheme}://localhost:${port}`);
  const wikiDomain = get("WIKI_DOMAIN")?.trim().toLowerCase() || null;
  const explicitMode = get("ADDRESSING");
  if (explicitMode && explicitMode !== "path" && explicitMode !== "subdomain") {
    throw new Error(`ADDRESSING must be "path" or "subdomain", got "${explicitMode}"`);
  }
  const addressing: AddressingMode = (explicitMode as AddressingMode | undefined) ??
    (wikiDomain ? "subdomain" : "path");
  if (addressing === "subdomain" && !wikiDomain) throw new Error("subdomain addressing needs WIKI_DOMAIN");
  const primaryWiki = get("PRIMARY_WIKI")?.trim().toLowerCase() || null;
  if (primaryWiki && addressing !== "path") {
    throw new Error("PRIMARY_WIKI is for path mode only (in subdomain mode each wiki has its own origin)");
  }
  if (primaryWiki && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(primaryWiki)) {
    throw new Error(`PRIMARY_WIKI must be a wiki slug, got "${primaryWiki}"`);
  }
  const kvPathVar = get("KV_PATH");
  const kvPath = kvPathVar ?? (onDeploy ? null : "./data/robot.kv");
  const limits: Limits = {
    maxBodyBytes: intVar(get, "MAX_BODY_BYTES", DEFAULT_LIMITS.maxBodyBytes),
    maxPageBytes: intVar(get, "MAX_PAGE_BYTES", DEFAULT_LIMITS.maxPageBytes),
    maxAttachmentBytes: intVar(get, "MAX_ATTACHMENT_BYTES", DEFAULT_LIMITS.maxAttachmentBytes),
    quotaPages: intVar(get, "QUOTA_PAGES", DEFAULT_LIMITS.quotaPages),
    quotaBytes: intVar(get, "QUOTA_BYTES", DEFAULT_LIMITS.quotaBytes),
    resultBudgetChars: intVar(get, "MCP_RESULT_BUDGET_CHARS", RESULT_BUDGET.default),
  };
  if (limits.resultBudgetChars < RESULT_BUDGET.min) {
    throw new Error(`MCP_RESULT_BUDGET_CHARS must be at least ${RESULT_BUDGET.min}, got ${limits.resultBudgetChars}`);
  }
  if (env === "production" && !get("ROBOT_KEYS")) throw new Error("production needs ROBOT_KEYS (see README)");
  const allowLocalPds = boolVar(get, "ATPROTO_ALLOW_LOCAL_PDS", false);
  if (allowLocalPds && env === "production") {
    throw new Error("ATPROTO_ALLOW_LOCAL_PDS is for local development only; unset it in production");
  }
  const embeddings = embeddingsVars(get);
  const atproto: AtprotoConfig = {
    plcDirectoryUrl: urlVar(get, "ATPROTO_PLC_URL", "https://plc.directory"),
    handleResolverUrl: get("ATPROTO_HANDLE_RESOLVER_URL") ? urlVar(get, "ATPROTO_HANDLE_RESOLVER_URL", "") : null,
    allowLocalPds,
  };
  return {
    env,
    port,
    hostname,
    publicOrigin,
    addressing,
    wikiDomain,
    primaryWiki,
    kvPath,
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : null,
    keysJson: get("ROBOT_KEYS") ?? null,
    seedDemo: boolVar(get, "SEED_DEMO", env === "development"),
    maintenance: boolVar(get, "MAINTENANCE", false),
    meaningLayer: boolVar(get, "MEANING_LAYER", true),
    limits,
    wikisPerUser: intVar(get, "WIKIS_PER_USER", 1),
    atproto,
    oauth: {
      accessTokenTtlMs: positive(intVar(get, "OAUTH_ACCESS_TOKEN_HOURS", 8), "OAUTH_ACCESS_TOKEN_HOURS") * 3_600_000,
      refreshTokenTtlMs: positive(intVar(get, "OAUTH_REFRESH_TOKEN_DAYS", 60), "OAUTH_REFRESH_TOKEN_DAYS") *
        86_400_000,
    },
    embeddings,
  };
}

/** The embeddings settings, or null when `EMBEDDINGS_URL` is unset; throws on an incomplete or invalid set. */
function embeddingsVars(get: (n: string) => string | undefined): EmbeddingsConfig | null {
  if (!get("EMBEDDINGS_URL")?.trim()) {
    const stray = ["EMBEDDINGS_MODEL", "EMBEDDINGS_KEY", "EMBEDDINGS_DIMENSIONS"].filter((n) => get(n)?.trim());
    if (stray.length > 0) throw new Error(`${stray.join(", ")} set without EMBEDDINGS_URL`);
    return null;
  }
  const base = urlVar(get, "EMBEDDINGS_URL", "");
  const model = get("EMBEDDINGS_MODEL")?.trim();
  if (!model) throw new Error("EMBEDDINGS_URL needs EMBEDDINGS_MODEL (the model name the endpoint serves)");
  const dims = intVar(get, "EMBEDDINGS_DIMENSIONS", 0);
  if (dims > EMBEDDINGS_DEFAULTS.maxDimensions) {
    throw new Error(`EMBEDDINGS_DIMENSIONS must be at most ${EMBEDDINGS_DEFAULTS.maxDimensions}, got ${dims}`);
  }
  const batchSize = positive(
    intVar(get, "EMBEDDINGS_BATCH_SIZE", EMBEDDINGS_DEFAULTS.batchSize),
    "EMBEDDINGS_BATCH_SIZE",
  );
  if (batchSize > EMBEDDINGS_DEFAULTS.maxBatchSize) {
    throw new Error(`EMBEDDINGS_BATCH_SIZE must be at most ${EMBEDDINGS_DEFAULTS.maxBatchSize}, got ${batchSize}`);
  }
  return {
    endpoint: embeddingsEndpoint(base),
    model,
    key: get("EMBEDDINGS_KEY")?.trim() || null,
    dimensions: dims === 0 ? null : dims,
    batchSize,
    timeoutMs: positive(intVar(get, "EMBEDDINGS_TIMEOUT_MS", EMBEDDINGS_DEFAULTS.timeoutMs), "EMBEDDINGS_TIMEOUT_MS"),
  };
}

/** The URL embeddings are POSTed to, from `EMBEDDINGS_URL` (see {@link EmbeddingsConfig.endpoint}). */
export function embeddingsEndpoint(base: string): string {
  const url = new URL(base);
  if (url.search || url.hash) throw new Error("EMBEDDINGS_URL must have no query or fragment");
  const path = url.pathname.replace(/\/+$/, "");
  if (path.endsWith("/embeddings")) return url.origin + path;
  if (path.endsWith("/v1")) return `${url.origin}${path}/embeddings`;
  return `${url.origin}${path}/v1/embeddings`;
}

/** A configuration for tests: in-memory KV, path mode, `http://localhost:8000`, with overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig((name) => ({ KV_PATH: ":memory:", SEED_DEMO: "false" } as Record<string, string>)[name]),
    ...overrides,
  };
}

function intVar(get: (n: string) => string | undefined, name: string, fallback: number): number {
  const raw = get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function positive(n: number, name: string): number {
  if (n < 1) throw new Error(`${name} must be at least 1, got ${n}`);
  return n;
}

function boolVar(get: (n: string) => string | undefined, name: string, fallback: boolean): boolean {
  const raw = get(name)?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function urlVar(get: (n: string) => string | undefined, name: string, fallback: string): string {
  const raw = get(name)?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${name} must be http(s)`);
  return url.href.replace(/\/$/, "");
}

function normalizeOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_ORIGIN is not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("PUBLIC_ORIGIN must be http(s)");
  if (url.pathname !== "/" || url.search || url.hash) throw new Error("PUBLIC_ORIGIN must be an origin, no path");
  return url.origin;
}
