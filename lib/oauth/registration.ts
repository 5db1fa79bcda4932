/**
 * @module
 * Dynamic client registration (RFC 7591) for a wiki's authorization server: public (`none`) and confidential
 * (`client_secret_post` / `client_secret_basic`, the requested method is honoured) clients; the secret is returned
 * once and stored only as an HMAC (`token-hash` key); it never expires (`client_secret_expires_at: 0`). A client is
 * stored with a 24 h lifetime that grants extend while they live, so registrations nobody completed disappear. Abuse
 * is bounded by strict validation, size limits, that expiry and limits per client address and wiki, and per client
 * address (lib/oauth/limits.ts). The client records and lookups are lib/oauth/clients.ts.
 */
import { UNKNOWN_SOURCE } from "../net/client_address.ts";
import { takeRegistration } from "./limits.ts";
import { randomBase32, randomToken } from "../ids.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  oauthErrorResponse,
  oauthJson,
  TemporarilyUnavailableError,
} from "./errors.ts";
import { createClient } from "./store_requests.ts";
import { redirectUriProblem } from "./params.ts";
import {
  CLIENT_ID_PREFIX,
  CLIENT_SECRET_PREFIX,
  type ClientAuthMethod,
  type ClientRecord,
  MAX_CLIENT_NAME,
  MAX_REDIRECT_URIS,
  readBounded,
} from "./clients.ts";

/** Longest other text field of a registration. */
const MAX_TEXT = 500;

/**
 * Reads a registration `Request` (bounded), registers, and answers 201 or an OAuth error (RFC 7591 §3.2); 429 with
 * `Retry-After` when `source` (the client address) reached its registration limit.
 */
export async function registerEndpoint(
  ctx: OAuthContext,
  wiki: WikiRef,
  req: Request,
  source: string = UNKNOWN_SOURCE,
): Promise<Response> {
  try {
    const text = await readBounded(req, ctx.settings.maxRegistrationBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new InvalidClientMetadataError("The registration body is not valid JSON.");
    }
    const out = await registerClient(ctx, wiki, body, source);
    return oauthJson(out, 201);
  } catch (err) {
    return oauthErrorResponse(err, "/register");
  }
}

/**
 * Validates client metadata, counts the registration against `source`'s limits (lib/oauth/limits.ts) and registers
 * a client; returns the RFC 7591 §3.2.1 response body.
 */
export async function registerClient(
  ctx: OAuthContext,
  wiki: WikiRef,
  body: unknown,
  source: string = UNKNOWN_SOURCE,
): Promise<Record<string, unknown>> {
  const meta = validateRegistration(body);
  await takeRegistration(ctx, wiki, source);
  const confidential = meta.authMethod !== "none";
  const secret = confidential ? CLIENT_SECRET_PREFIX + randomToken(32) : null;
  const t = ctx.now();
  const record: ClientRecord = {
    clientId: `${CLIENT_ID_PREFIX}${wiki.id}.${randomBase32(24)}`,
    wikiId: wiki.id,
    name: meta.name,
    redirectUris: meta.redirectUris,
    authMethod: meta.authMethod,
    grantTypes: meta.grantTypes,
    responseTypes: meta.responseTypes,
    secretHash: secret ? await ctx.keys.hmac("token-hash", secret) : null,
    extra: meta.extra,
    createdAt: t,
    expiresAt: t + ctx.settings.unusedClientTtlMs,
  };
  // A random 120-bit id never collides in practice; if it did, nothing was overwritten.
  if (!await createClient(ctx.kv, record, ctx.settings.unusedClientTtlMs, t)) {
    throw new TemporarilyUnavailableError("Registration failed; try again.");
  }
  return registrationResponse(record, secret);
}

function registrationResponse(record: ClientRecord, secret: string | null): Record<string, unknown> {
  const issuedAt = Math.floor(record.createdAt / 1000);
  return {
    client_id: record.clientId,
    client_id_issued_at: issuedAt,
    ...(secret ? { client_secret: secret, client_secret_issued_at: issuedAt, client_secret_expires_at: 0 } : {}),
    redirect_uris: record.redirectUris,
    token_endpoint_auth_method: record.authMethod,
    grant_types: record.grantTypes,
    response_types: record.responseTypes,
    ...(record.name !== null ? { client_name: record.name } : {}),
    ...record.extra,
  };
}

/** Validated registration metadata. */
interface RegistrationMeta {
  name: string | null;
  redirectUris: string[];
  authMethod: ClientAuthMethod;
  grantTypes: string[];
  responseTypes: string[];
  extra: Record<string, unknown>;
}

const AUTH_METHODS: readonly string[] = ["none", "client_secret_post", "client_secret_basic"];
const GRANT_TYPES: readonly string[] = ["authorization_code", "refresh_token"];
const URL_FIELDS = ["client_uri", "logo_uri", "tos_uri", "policy_uri"] as const;
const TEXT_FIELDS = ["scope", "software_id", "software_version"] as const;

/**
 * Strict RFC 7591 validation. Defaults: `token_endpoint_auth_method` `client_secret_basic` (RFC 7591 §2),
 * `response_types` `["code"]`, and `grant_types` `["authorization_code", "refresh_token"]` (wider than the RFC's
 * default so clients that omit it still get refresh tokens). Unknown fields are ignored and not echoed.
 */
export function validateRegistration(body: unknown): RegistrationMeta {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidClientMetadataError("The registration body must be a JSON object of client metadata.");
  }
  const b = body as Record<string, unknown>;
  const uris = b.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0) {
    throw new InvalidRedirectUriError("redirect_uris is required: a list of 1 to 10 https or loopback URIs.");
  }
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new InvalidRedirectUriError(`redirect_uris lists ${uris.length} URIs; at most ${MAX_REDIRECT_URIS}.`);
  }
  for (const u of uris) {
    const problem = redirectUriProblem(u);
    if (problem) throw new InvalidRedirectUriError(capitalize(problem) + ".");
  }
  const method = b.token_endpoint_auth_method ?? "client_secret_basic";
  if (typeof method !== "string" || !AUTH_METHODS.includes(method)) {
    throw new InvalidClientMetadataError(
      `token_endpoint_auth_method ${JSON.stringify(method).slice(0, 60)} is not supported; use one of ` +
        `${AUTH_METHODS.join(", ")}.`,
    );
  }
  const grantTypes = stringList(b.grant_types, "grant_types") ?? ["authorization_code", "refresh_token"];
  for (const g of grantTypes) {
    if (!GRANT_TYPES.includes(g)) {
      throw new InvalidClientMetadataError(
        `grant_types contains "${g.slice(0, 80)}"; this server supports ${GRANT_TYPES.join(" and ")}.`,
      );
    }
  }
  if (!grantTypes.includes("authorization_code")) {
    throw new InvalidClientMetadataError("grant_types must include authorization_code.");
  }
  const responseTypes = stringList(b.response_types, "response_types") ?? ["code"];
  if (responseTypes.length !== 1 || responseTypes[0] !== "code") {
    throw new InvalidClientMetadataError('response_types must be ["code"]: only the authorization-code flow exists.');
  }
  let name: string | null = null;
  if (b.client_name !== undefined) name = displayText(b.client_name, "client_name", MAX_CLIENT_NAME);
  const extra: Record<string, unknown> = {};
  for (const f of URL_FIELDS) {
    if (b[f] === undefined) continue;
    const v = b[f];
    if (typeof v !== "string" || v.length > 2000 || !/^https:\/\/[^\s]+$/.test(v) || !URL.canParse(v)) {
      throw new InvalidClientMetadataError(`${f} must be an https URL of at most 2000 characters.`);
    }
    extra[f] = v;
  }
  for (const f of TEXT_FIELDS) if (b[f] !== undefined) extra[f] = displayText(b[f], f, MAX_TEXT);
  if (b.application_type !== undefined) {
    if (b.application_type !== "web" && b.application_type !== "native") {
      throw new InvalidClientMetadataError('application_type must be "web" or "native".');
    }
    extra.application_type = b.application_type;
  }
  if (b.contacts !== undefined) {
    const contacts = stringList(b.contacts, "contacts")!;
    if (contacts.length > 5 || contacts.some((c) => c.length > 200)) {
      throw new InvalidClientMetadataError("contacts may list at most 5 entries of at most 200 characters.");
    }
    extra.contacts = contacts;
  }
  return {
    name,
    redirectUris: [...new Set(uris as string[])],
    authMethod: method as ClientAuthMethod,
    grantTypes: [...new Set(grantTypes)],
    responseTypes,
    extra,
  };
}

function stringList(v: unknown, field: string): string[] | null {
  if (v === undefined) return null;
  if (!Array.isArray(v) || v.length > 10 || v.some((x) => typeof x !== "string" || x.length > 200)) {
    throw new InvalidClientMetadataError(`${field} must be a list of at most 10 short strings.`);
  }
  return v as string[];
}

function displayText(v: unknown, field: string, max: number): string {
  // deno-lint-ignore no-control-regex
  if (typeof v !== "string" || v.trim() === "" || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new InvalidClientMetadataError(`${field} must be text of 1 to ${max} characters without control characters.`);
  }
  return v.trim();
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
