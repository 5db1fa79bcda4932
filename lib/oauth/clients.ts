/**
 * @module
 * OAuth clients of a wiki's authorization server: dynamic registration (RFC 7591) and client ID metadata
 * documents (CIMD, draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25).
 *
 * - DCR: public (`none`) and confidential (`client_secret_post` / `client_secret_basic`, the requested method is
 *   honoured) clients; the secret is returned once and stored only as an HMAC (`token-hash` key); it never expires
 *   (`client_secret_expires_at: 0`). A client is stored with a 24 h lifetime that grants extend while they live, so
 *   registrations nobody completed disappear. Abuse is bounded by strict validation, size limits, that expiry and
 *   limits per client address and wiki, and per client address (lib/oauth/limits.ts); there is deliberately no
 *   limit per wiki alone (one caller could lock everyone out), and the per-address ceiling is sized for a cloud
 *   egress shared by many people (all Claude traffic shares a few addresses). Registering is
 *   lib/oauth/registration.ts; this module holds the client records, their lookup and CIMD.
 * - CIMD: an https `client_id` with a path is fetched through the injected (SSRF-safe) fetch, 5 KB cap, timeout,
 *   cached per `Cache-Control` (clamped 5 min .. 24 h), `client_id` must equal the URL exactly, authentication must
 *   be `none`. A pinned copy of Claude's document is used when fetching it fails (its host has answered datacenter
 *   IPs with a bot challenge). A document that cannot be fetched or used is remembered as failing for
 *   `cimdNegativeTtlMs` (2 min) in the same KV entry, and fetches (cache misses) are limited per client address; the
 *   SSRF-safe fetch caps how many outbound requests run at once and answers "busy" beyond (503, not remembered).
 */
import type { WikiId } from "../kv/keys.ts";
import { UNKNOWN_SOURCE } from "../net/client_address.ts";
import { BodyError, readText } from "../net/body.ts";
import { SafeFetchError } from "../net/safe_fetch.ts";
import { takeMetadataFetch } from "./limits.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidClientError, InvalidRequestError, TemporarilyUnavailableError } from "./errors.ts";
import { cacheDocument, readCachedDocument, readClient } from "./store_requests.ts";
import { redirectUriProblem } from "./params.ts";

/** Token-endpoint authentication methods. */
export type ClientAuthMethod = "none" | "client_secret_post" | "client_secret_basic";

/** Prefix of registered client ids. */
export const CLIENT_ID_PREFIX = "rwc_";
/** Longest registered client id looked up (ours are 28 characters; longer ones are unknown without a read). */
export const MAX_CLIENT_ID_LENGTH = 100;
/** Prefix of client secrets. */
export const CLIENT_SECRET_PREFIX = "rwcs_";
/** Most redirect URIs per client. */
export const MAX_REDIRECT_URIS = 10;
/** Longest client name. */
export const MAX_CLIENT_NAME = 100;

/** A registered (DCR) client as stored under `OK.client` (no secret: only its HMAC). */
export interface ClientRecord {
  clientId: string;
  wikiId: WikiId;
  name: string | null;
  redirectUris: string[];
  authMethod: ClientAuthMethod;
  grantTypes: string[];
  responseTypes: string[];
  /** HMAC (`token-hash`) of the client secret; null for public clients. */
  secretHash: string | null;
  /** Echoed optional metadata (client_uri, logo_uri, scope, contacts, ...), validated. */
  extra: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
}

/** A client as the authorize and token endpoints see it, registered or described by a metadata document. */
export interface ResolvedClient {
  clientId: string;
  kind: "registered" | "metadata-document";
  /** Display name (the document's or registration's `client_name`, else the client id). */
  name: string;
  redirectUris: string[];
  authMethod: ClientAuthMethod;
  /** True when the client registered the `refresh_token` grant (or did not list grant types). */
  allowsRefresh: boolean;
  /** Where a metadata document came from. */
  source?: "fetched" | "cache" | "pinned";
}

/** Reads a request body as text (lib/net/body.ts), refusing more than `max` bytes with `invalid_request`. */
export async function readBounded(req: Request, max: number): Promise<string> {
  try {
    return await readText(req, max);
  } catch (err) {
    if (err instanceof BodyError) throw new InvalidRequestError(`The request body is larger than ${max} bytes.`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Looking clients up

/** True when `clientId` is meant as a client ID metadata document URL (https, with a path). */
export function isMetadataDocumentId(clientId: string): boolean {
  return clientId.startsWith("https://");
}

/** A live registered client of the wiki, or null. */
export async function getRegisteredClient(
  ctx: OAuthContext,
  wikiId: WikiId,
  clientId: string,
): Promise<ClientRecord | null> {
  if (!clientId.startsWith(CLIENT_ID_PREFIX) || clientId.length > MAX_CLIENT_ID_LENGTH) return null;
  return await readClient(ctx.kv, wikiId, clientId, ctx.now());
}

/** The resolved view of a registered client. */
export function resolvedFromRecord(c: ClientRecord): ResolvedClient {
  return {
    clientId: c.clientId,
    kind: "registered",
    name: c.name ?? c.clientId,
    redirectUris: c.redirectUris,
    authMethod: c.authMethod,
    allowsRefresh: c.grantTypes.includes("refresh_token"),
  };
}

/**
 * Resolves a `client_id` for the authorization endpoint: a registered client of this wiki, or a metadata document
 * (fetched on a cache miss, counted against `source`, the client address). Throws {@link InvalidClientError}
 * (render locally, never redirect) when the client is unknown or its document cannot be used, the description
 * saying why; a rate limit or a busy outbound fetch throws a `temporarily_unavailable` error (429 / 503).
 */
export async function resolveClient(
  ctx: OAuthContext,
  wiki: WikiRef,
  clientId: string,
  source: string = UNKNOWN_SOURCE,
): Promise<ResolvedClient> {
  if (isMetadataDocumentId(clientId)) return await resolveMetadataDocument(ctx, clientId, source);
  const c = await getRegisteredClient(ctx, wiki.id, clientId);
  if (!c) {
    throw new InvalidClientError(
      "This application is not registered with this wiki (or its registration expired). Reconnect it so it " +
        "registers again.",
    );
  }
  return resolvedFromRecord(c);
}

// ---------------------------------------------------------------------------------------------------------------
// Client ID metadata documents

/** Claude's client ID metadata document URL. */
export const CLAUDE_CIMD_URL = "https://claude.ai/oauth/mcp-oauth-client-metadata";

/**
 * Pinned copies of well-known metadata documents, used when fetching the live one fails. Claude's, as observed on
 * 2026-09-29 (mcp-auth.md §2 item 6), plus the claude.com callback Anthropic asks servers to allow.
 */
export const PINNED_METADATA_DOCUMENTS: Readonly<Record<string, Record<string, unknown>>> = {
  [CLAUDE_CIMD_URL]: {
    client_id: CLAUDE_CIMD_URL,
    client_name: "Claude",
    client_uri: "https://claude.ai",
    redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"],
    grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  },
};

/** A validated metadata document as cached, or the reason it could not be used (negative cache). */

/** Checks the shape of a CIMD URL; returns a reason or null. */
export function metadataDocumentUrlProblem(url: string): string | null {
  if (url.length > 1000) return "it is longer than 1000 characters";
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "it is not a valid URL";
  }
  if (u.protocol !== "https:") return "it must use https";
  if (u.username || u.password) return "it must not contain user info";
  if (url.includes("#")) return "it must not have a fragment";
  if (u.pathname === "/" || u.pathname === "") return "it must have a path";
  if (u.href !== url) return "it must be in canonical form (no dot segments, lowercase host, no default port)";
  return null;
}

async function resolveMetadataDocument(ctx: OAuthContext, url: string, source: string): Promise<ResolvedClient> {
  const problem = metadataDocumentUrlProblem(url);
  if (problem) throw new InvalidClientError(`The client_id ${url.slice(0, 200)} is not usable: ${problem}.`);
  const t = ctx.now();
  const cached = await readCachedDocument<ResolvedClient>(ctx.kv, url, t);
  if (cached && "client" in cached) return { ...cached.client, source: "cache" };
  if (cached) throw new InvalidClientError(cached.failure);
  let client: ResolvedClient;
  let ttl: number;
  try {
    await takeMetadataFetch(ctx, source);
    const fetched = await fetchMetadataDocument(ctx, url);
    client = { ...validateMetadataDocument(fetched.doc, url), source: "fetched" };
    ttl = fetched.ttlMs;
  } catch (err) {
    const pinned = PINNED_METADATA_DOCUMENTS[url];
    if (!pinned && err instanceof InvalidClientError) {
      await cacheDocument(ctx.kv, url, { failure: err.description }, ctx.settings.cimdNegativeTtlMs, t);
    }
    if (!pinned) throw err;
    client = { ...validateMetadataDocument(pinned, url), source: "pinned" };
    ttl = ctx.settings.cimdCacheMinMs;
  }
  await cacheDocument(ctx.kv, url, { client }, ttl, t);
  return client;
}

async function fetchMetadataDocument(ctx: OAuthContext, url: string): Promise<{ doc: unknown; ttlMs: number }> {
  const host = new URL(url).host;
  if (!ctx.fetch) throw new InvalidClientError(`Client metadata documents cannot be fetched here (${host}).`);
  const max = ctx.settings.maxCimdBytes;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(ctx.settings.cimdTimeoutMs),
    });
  } catch (err) {
    if (err instanceof SafeFetchError && err.reason === "busy") {
      throw new TemporarilyUnavailableError(
        "This server is making too many outbound requests right now. Try again in a few seconds.",
        { headers: { "Retry-After": "5" }, cause: err },
      );
    }
    throw new InvalidClientError(
      `The client's metadata document at ${host} could not be fetched: ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new InvalidClientError(`The client's metadata document at ${url} answered HTTP ${res.status}, not 200.`);
  }
  let text: string;
  try {
    text = await readText(res, max);
  } catch {
    throw new InvalidClientError(`The client's metadata document at ${url} is larger than ${max} bytes.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InvalidClientError(`The client's metadata document at ${url} is not valid JSON.`);
  }
  return { doc, ttlMs: cacheTtl(res.headers.get("cache-control"), ctx) };
}

/** Cache lifetime from `Cache-Control: max-age`, clamped into the configured bounds (absent: the minimum). */
export function cacheTtl(header: string | null, ctx: Pick<OAuthContext, "settings">): number {
  const { cimdCacheMinMs: min, cimdCacheMaxMs: max } = ctx.settings;
  const m = header?.match(/(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i);
  const ms = m ? Number(m[1]) * 1000 : 0;
  return Math.min(max, Math.max(min, ms));
}

/**
 * Validates a client ID metadata document fetched from `url`: `client_id` equal to the URL exactly,
 * `client_name`, `redirect_uris` valid, authentication `none` (absent counts as none), no secrets or private keys.
 * Grant types this server does not support (e.g. Claude's jwt-bearer) are ignored.
 */
export function validateMetadataDocument(doc: unknown, url: string): ResolvedClient {
  const fail = (why: string) => new InvalidClientError(`The client's metadata document at ${url} ${why}`);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw fail("is not a JSON object.");
  const d = doc as Record<string, unknown>;
  if (d.client_id !== url) {
    throw fail(`names client_id ${JSON.stringify(d.client_id).slice(0, 200)}; it must be exactly the document's URL.`);
  }
  if (typeof d.client_name !== "string" || d.client_name.trim() === "" || d.client_name.length > MAX_CLIENT_NAME) {
    throw fail(`needs a client_name of 1 to ${MAX_CLIENT_NAME} characters.`);
  }
  if (!Array.isArray(d.redirect_uris) || d.redirect_uris.length === 0 || d.redirect_uris.length > MAX_REDIRECT_URIS) {
    throw fail(`needs redirect_uris: a list of 1 to ${MAX_REDIRECT_URIS} URIs.`);
  }
  for (const u of d.redirect_uris) {
    const problem = redirectUriProblem(u);
    if (problem) throw fail(`is not usable: ${problem}.`);
  }
  if ("client_secret" in d || "client_secret_expires_at" in d) throw fail("must not contain a client secret.");
  const jwks = d.jwks as { keys?: unknown } | undefined;
  if (jwks && Array.isArray(jwks.keys) && jwks.keys.some((k) => typeof k === "object" && k !== null && "d" in k)) {
    throw fail("publishes a private key in jwks.");
  }
  const method = d.token_endpoint_auth_method ?? "none";
  if (method === "private_key_jwt") {
    throw fail(
      "asks for private_key_jwt client authentication, which this server does not support; metadata-document " +
        'clients must use "none" here.',
    );
  }
  if (method !== "none") throw fail(`uses token_endpoint_auth_method ${JSON.stringify(method)}; only "none" works.`);
  if (d.grant_types !== undefined) {
    if (!Array.isArray(d.grant_types) || !d.grant_types.includes("authorization_code")) {
      throw fail("must list authorization_code in grant_types.");
    }
  }
  if (d.response_types !== undefined && (!Array.isArray(d.response_types) || !d.response_types.includes("code"))) {
    throw fail('must list "code" in response_types.');
  }
  const grants = d.grant_types as string[] | undefined;
  return {
    clientId: url,
    kind: "metadata-document",
    name: d.client_name.trim(),
    redirectUris: [...new Set(d.redirect_uris as string[])],
    authMethod: "none",
    allowsRefresh: grants === undefined || grants.includes("refresh_token"),
  };
}
