/**
 * @module
 * Client authentication at the token and revocation endpoints (OAuth 2.1 §2.4, RFC 6749 §2.3): the bounded form
 * body, `Authorization: Basic`, and checking the presented credentials against the client's registration (`none`,
 * `client_secret_post`, `client_secret_basic`; secrets compared as HMACs in constant time).
 */
import { isLive } from "../kv/expiring.ts";
import { timingSafeEqual } from "../ids.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidClientError, InvalidRequestError } from "./errors.ts";
import { OK } from "./store.ts";
import { readClientEntry } from "./store_requests.ts";
import {
  CLIENT_ID_PREFIX,
  type ClientAuthMethod,
  type ClientRecord,
  isMetadataDocumentId,
  MAX_CLIENT_ID_LENGTH,
  readBounded,
} from "./clients.ts";

/** Largest token request body. */
export const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

/** The authenticated client of a token or revocation request. */
export interface AuthenticatedClient {
  clientId: string;
  /** The registered client (null for metadata-document clients, which are public). */
  record: ClientRecord | null;
  /** Its KV entry (for extending its lifetime under a check). */
  entry: Deno.KvEntryMaybe<ClientRecord> | null;
}

/** Parses the body of a token or revocation request (form-encoded, bounded, no repeated parameters). */
export async function readForm(req: Request): Promise<URLSearchParams> {
  if (req.method !== "POST") throw new InvalidRequestError("Use POST.");
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new InvalidRequestError("The body must be application/x-www-form-urlencoded.");
  }
  const form = new URLSearchParams(await readBounded(req, MAX_TOKEN_REQUEST_BYTES));
  const seen = new Set<string>();
  for (const k of form.keys()) {
    if (seen.has(k) && k !== "resource") throw new InvalidRequestError(`The request repeats ${k}; send it once.`);
    seen.add(k);
  }
  return form;
}

/** Parses `Authorization: Basic` (RFC 6749 §2.3.1: both parts form-urlencoded); null without the header. */
export function parseBasic(header: string | null): { id: string; secret: string } | null {
  if (header === null) return null;
  const m = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) throw new InvalidClientError("The Authorization header is not valid Basic authentication.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    throw new InvalidClientError("The Authorization header is not valid Basic authentication.");
  }
  const colon = text.indexOf(":");
  if (colon < 0) throw new InvalidClientError("The Authorization header is not valid Basic authentication.");
  const dec = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
  try {
    return { id: dec(text.slice(0, colon)), secret: dec(text.slice(colon + 1)) };
  } catch {
    throw new InvalidClientError("The Authorization header is not valid Basic authentication.");
  }
}

/**
 * What a token or revocation request presents to authenticate its client, parsed but not yet checked against the
 * registration: {@link readClientCredentials} makes it without a KV read, {@link verifyClient} checks it against the
 * client entry the caller read together with the rest of its request (one `getMany`).
 */
export interface ClientCredentials {
  clientId: string;
  /** The method the request used. */
  used: ClientAuthMethod;
  /** HMACs of the presented secret under every `token-hash` key version (empty for `none`). */
  secretHashes: string[];
  /**
   * The registration entry to read for it (null: a metadata-document client, or an id no registration can have:
   * nothing to read, and no oversized key for KV to refuse).
   */
  key: Deno.KvKey | null;
}

/** Parses the client's credentials from the body and `Authorization` header; throws `invalid_client` / `invalid_request`. */
export async function readClientCredentials(
  ctx: OAuthContext,
  wiki: WikiRef,
  form: URLSearchParams,
  authorization: string | null,
): Promise<ClientCredentials> {
  const basic = parseBasic(authorization);
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (basic && bodySecret !== null) {
    throw new InvalidRequestError("Send the client secret once: in the Authorization header or in the body.");
  }
  if (basic && bodyId !== null && bodyId !== basic.id) {
    throw new InvalidClientError("client_id in the body differs from the one in the Authorization header.");
  }
  const clientId = basic?.id ?? bodyId;
  if (!clientId) {
    throw new InvalidClientError("client_id is missing: send it in the body or with Basic authentication.");
  }
  const used: ClientAuthMethod = basic ? "client_secret_basic" : bodySecret !== null ? "client_secret_post" : "none";
  if (isMetadataDocumentId(clientId)) {
    if (used !== "none") {
      throw new InvalidClientError("This client is identified by a metadata document and must not send a secret.");
    }
    return { clientId, used, secretHashes: [], key: null };
  }
  const secret = basic ? basic.secret : bodySecret;
  return {
    clientId,
    used,
    secretHashes: secret === null ? [] : await ctx.keys.hmacAll("token-hash", secret),
    key: clientId.startsWith(CLIENT_ID_PREFIX) && clientId.length <= MAX_CLIENT_ID_LENGTH
      ? OK.client(wiki.id, clientId)
      : null,
  };
}

/**
 * Authenticates the client exactly as it registered (`none`, `client_secret_post`, `client_secret_basic`) against
 * `entry`, the registration read at `credentials.key` (null when the key is null); the secret is compared as an HMAC
 * in constant time. Any mismatch is `invalid_client` (401). Metadata-document clients are public: `none` only.
 */
export function verifyClient(
  ctx: OAuthContext,
  credentials: ClientCredentials,
  entry: Deno.KvEntryMaybe<ClientRecord> | null,
): AuthenticatedClient {
  const { clientId, used } = credentials;
  if (isMetadataDocumentId(clientId)) return { clientId, record: null, entry: null };
  const record = entry && isLive(entry.value, ctx.now()) ? entry.value : null;
  if (!entry || !record) {
    throw new InvalidClientError("Unknown client: it is not registered with this wiki or its registration expired.");
  }
  if (record.authMethod !== used) {
    throw new InvalidClientError(
      `This client registered token_endpoint_auth_method ${record.authMethod}; authenticate with it ` +
        `(the request used ${used}).`,
    );
  }
  if (used !== "none") {
    let ok = false;
    for (const c of credentials.secretHashes) ok = timingSafeEqual(c, record.secretHash ?? "") || ok;
    if (!ok) throw new InvalidClientError("The client secret is wrong.");
  }
  return { clientId, record, entry };
}

/** Reads the registration the credentials name (one round trip when there is one) and verifies them. */
export async function readAndVerifyClient(
  ctx: OAuthContext,
  credentials: ClientCredentials,
): Promise<AuthenticatedClient> {
  const entry = credentials.key ? await readClientEntry(ctx.kv, credentials.key) : null;
  return verifyClient(ctx, credentials, entry);
}

/**
 * Authenticates the client of a request on its own (one KV read for a registered client): the revocation endpoint's
 * way. The token endpoint reads the registration together with the code or refresh token instead.
 */
export async function authenticateClient(
  ctx: OAuthContext,
  wiki: WikiRef,
  form: URLSearchParams,
  authorization: string | null,
): Promise<AuthenticatedClient> {
  return await readAndVerifyClient(ctx, await readClientCredentials(ctx, wiki, form, authorization));
}
