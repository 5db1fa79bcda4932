/**
 * @module
 * The token endpoint (OAuth 2.1 §4.1.3, §4.3; RFC 6749 §5): the authorization-code grant and the refresh-token
 * grant (client authentication is lib/oauth/client_auth.ts). Tokens are opaque, random, and stored only as HMACs
 * (`token-hash` key); their non-secret prefix names what the verifier must read (docs/oauth.md, "Token format").
 *
 * - Access token: `rwat_{wikiId}.{grantId}.{base64url(did)}.{secret}`, lifetime `accessTokenTtlMs`.
 * - Refresh token: `rwrt_{wikiId}.{grantId}.{secret}` (older tokens `rwrt_{grantId}.{secret}`; lib/oauth/credentials.ts), lifetime `refreshTokenTtlMs` from its issue (sliding: each rotation
 *   issues a new one), rotated on every use.
 *
 * Single use and rotation are guarded by `atomic().check(versionstamp)`: a code or refresh record changes state
 * only if nobody changed it since it was read; the loser re-reads and sees the new state (a replay, or a rotated
 * token within its grace).
 *
 * Refresh grace (the store holds only hashes, so a stored successor cannot be handed out again): rotating marks
 * the old record `rotatedAt`. Within `refreshGraceMs` the old token still works up to `refreshGraceUses` times,
 * each time minting a FRESH pair for the same grant (a sibling of the first successor; both stay valid). After the
 * grace, presenting it is a reuse: the whole grant is revoked. The rotated record is remembered for
 * `refreshReuseMemoryMs`; a reuse later than that finds nothing and is only refused.
 *
 * A refresh issues only what the user's CURRENT role allows (lib/oauth/role_now.ts): after a demotion to viewer the
 * new access token, and the response's `scope`, are `wiki:read`; a user no longer a member gets `invalid_grant`.
 */
import type { Scope } from "../auth/principal.ts";
import { isLive } from "../kv/expiring.ts";
import { base64url, randomToken, timingSafeEqual } from "../ids.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import {
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  oauthErrorResponse,
  oauthJson,
  ServerError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from "./errors.ts";
import { deleteGrant, type GrantRecord, putGrant } from "./store.ts";
import {
  extendClient,
  putAccessToken,
  putRefreshToken,
  readTokenRequest,
  rewriteSecret,
  tokenCommit,
} from "./store_tokens.ts";
import { checkResource, parseScopes, PKCE_VERIFIER_SHAPE, s256 } from "./params.ts";
import {
  type AuthenticatedClient,
  type ClientCredentials,
  readAndVerifyClient,
  readClientCredentials,
  readForm,
  verifyClient,
} from "./client_auth.ts";
import type { CodeRecord } from "./authorize.ts";
import { CODE_SHAPE, REFRESH_SHAPE } from "./credentials.ts";
import { currentRole, memberKeyOfGrant, rememberGrantUser, scopesForRefresh } from "./role_now.ts";

/** Prefix of access tokens. */
export const ACCESS_TOKEN_PREFIX = "rwat_";
/** Prefix of refresh tokens. */
export const REFRESH_TOKEN_PREFIX = "rwrt_";
/** Registered clients are kept this much longer than their longest grant, so extending them is rare. */
const CLIENT_SLACK_MS = 7 * 24 * 3_600_000;

/** An access token as stored under `OK.access` (by HMAC). */
export interface AccessRecord {
  wikiId: string;
  grantId: string;
  did: string;
  clientId: string;
  scopes: Scope[];
  issuedAt: number;
  lastUsedAt: number | null;
  expiresAt: number;
}

/** A refresh token as stored under `OK.refresh` (by HMAC). */
export interface RefreshRecord {
  wikiId: string;
  grantId: string;
  did: string;
  clientId: string;
  /** The grant's scopes (a refresh may narrow the access token, never this). */
  scopes: Scope[];
  issuedAt: number;
  /** The token works until then (unless rotated). */
  validUntil: number;
  /** Set when the token was rotated; it then works only within the grace. */
  rotatedAt: number | null;
  /** Fresh pairs minted from it during its grace. */
  graceUses: number;
  /** Storage expiry: `validUntil`, or after rotation `rotatedAt + refreshReuseMemoryMs`. */
  expiresAt: number;
}

/** RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** `POST /token`: parses the request, runs the grant, answers JSON with `no-store` (errors included). */
export async function tokenEndpoint(ctx: OAuthContext, wiki: WikiRef, req: Request): Promise<Response> {
  try {
    const form = await readForm(req);
    return oauthJson(await exchangeToken(ctx, wiki, form, req.headers.get("authorization")));
  } catch (err) {
    return oauthErrorResponse(err, "/token");
  }
}

/** Runs a token request given its form and Authorization header; throws {@link OAuthError}. */
export async function exchangeToken(
  ctx: OAuthContext,
  wiki: WikiRef,
  form: URLSearchParams,
  authorization: string | null,
): Promise<TokenResponse> {
  const grantType = form.get("grant_type");
  if (!grantType) throw new InvalidRequestError("grant_type is required.");
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    throw new UnsupportedGrantTypeError(
      `grant_type ${grantType.slice(0, 60)} is not supported; use authorization_code or refresh_token.`,
    );
  }
  const credentials = await readClientCredentials(ctx, wiki, form, authorization);
  return grantType === "authorization_code"
    ? await exchangeCode(ctx, wiki, credentials, form)
    : await refreshTokens(ctx, wiki, credentials, form);
}

// ---------------------------------------------------------------------------------------------------------------
// Issuing

function didPart(did: string): string {
  return base64url(new TextEncoder().encode(did));
}

/** Adds a new access token (and refresh token when `refresh`) to `op`; returns the response body. */
async function issue(
  ctx: OAuthContext,
  op: Deno.AtomicOperation,
  grant: GrantRecord,
  accessScopes: Scope[],
  refresh: boolean,
  t: number,
): Promise<TokenResponse> {
  const s = ctx.settings;
  rememberGrantUser(ctx.kv, grant.wikiId, grant.id, grant.did);
  const access = `${ACCESS_TOKEN_PREFIX}${grant.wikiId}.${grant.id}.${didPart(grant.did)}.${randomToken(32)}`;
  const accessRecord: AccessRecord = {
    wikiId: grant.wikiId,
    grantId: grant.id,
    did: grant.did,
    clientId: grant.clientId,
    scopes: accessScopes,
    issuedAt: t,
    lastUsedAt: null,
    expiresAt: t + s.accessTokenTtlMs,
  };
  putAccessToken(op, await ctx.keys.hmac("token-hash", access), accessRecord, s.accessTokenTtlMs);
  const body: TokenResponse = {
    access_token: access,
    token_type: "Bearer",
    expires_in: Math.floor(s.accessTokenTtlMs / 1000),
    scope: accessScopes.join(" "),
  };
  if (refresh) {
    const token = `${REFRESH_TOKEN_PREFIX}${grant.wikiId}.${grant.id}.${randomToken(32)}`;
    const rec: RefreshRecord = {
      wikiId: grant.wikiId,
      grantId: grant.id,
      did: grant.did,
      clientId: grant.clientId,
      scopes: grant.scopes,
      issuedAt: t,
      validUntil: t + s.refreshTokenTtlMs,
      rotatedAt: null,
      graceUses: 0,
      expiresAt: t + s.refreshTokenTtlMs,
    };
    putRefreshToken(op, await ctx.keys.hmac("token-hash", token), rec, s.refreshTokenTtlMs);
    body.refresh_token = token;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// authorization_code

async function exchangeCode(
  ctx: OAuthContext,
  wiki: WikiRef,
  credentials: ClientCredentials,
  form: URLSearchParams,
): Promise<TokenResponse> {
  const code = form.get("code");
  const invalid = "The authorization code is invalid or expired. Start the authorization again.";
  // The code names its grant (`rwac_{wikiId}.{grantId}.{secret}`), so code, grant and client are ONE read.
  const shape = code?.match(CODE_SHAPE);
  if (!code || !shape || (shape[1] !== undefined && shape[1] !== wiki.id)) {
    // Client authentication still comes first (an unknown client is invalid_client whatever its code).
    await readAndVerifyClient(ctx, credentials);
    if (!code) throw new InvalidRequestError("code is required.");
    throw new InvalidGrantError(invalid);
  }
  const verifier = form.get("code_verifier");
  const keys = {
    kind: "code",
    wikiId: wiki.id,
    hashes: await ctx.keys.hmacAll("token-hash", code),
    grantId: shape[2],
    clientKey: credentials.key,
  } as const;
  for (let attempt = 0; attempt < 4; attempt++) {
    const t = ctx.now();
    const { secret: entry, grant: grantEntry, client: clientEntry } = await readTokenRequest<CodeRecord>(ctx.kv, keys);
    const client = verifyClient(ctx, credentials, clientEntry);
    if (!entry || entry.value.wikiId !== wiki.id || entry.value.grantId !== shape[2]) {
      throw new InvalidGrantError(invalid);
    }
    const c = entry.value;
    if (c.consumedAt !== null) {
      // OAuth 2.1 §4.1.3: a code used twice revokes what it issued.
      await deleteGrant(ctx.kv, wiki.id, c.grantId, ctx.now());
      throw new InvalidGrantError(
        "This authorization code was already used; the tokens issued with it have been revoked. Start the " +
          "authorization again.",
        { detail: `code replay, grant ${c.grantId} revoked` },
      );
    }
    if (c.expiresAt <= t) throw new InvalidGrantError(invalid, { detail: "code expired" });
    if (c.clientId !== client.clientId) {
      throw new InvalidGrantError("The authorization code was issued to another client.");
    }
    const redirectUri = form.get("redirect_uri");
    if (c.redirectUriGiven && redirectUri === null) {
      throw new InvalidRequestError("redirect_uri is required: repeat the one sent to the authorization endpoint.");
    }
    if (redirectUri !== null && redirectUri !== c.redirectUri) {
      throw new InvalidGrantError("redirect_uri differs from the one the authorization code was issued for.");
    }
    if (verifier === null) throw new InvalidRequestError("code_verifier is required (PKCE).");
    if (!PKCE_VERIFIER_SHAPE.test(verifier) || !timingSafeEqual(await s256(verifier), c.codeChallenge)) {
      throw new InvalidGrantError("The code_verifier does not match the code_challenge.");
    }
    checkResource(form.getAll("resource"), c.resource);
    const g = grantEntry.value;
    if (!g || g.id !== c.grantId) {
      throw new InvalidGrantError("This authorization was withdrawn. Start the authorization again.");
    }
    const expiresAt = t + (g.refresh ? ctx.settings.refreshTokenTtlMs : ctx.settings.accessTokenTtlMs);
    const active: GrantRecord = { ...g, status: "active", expiresAt };
    const op = tokenCommit(ctx.kv, entry, grantEntry);
    const consumed: CodeRecord = { ...c, consumedAt: t, expiresAt: t + ctx.settings.codeReplayMemoryMs };
    rewriteSecret(op, entry, consumed, ctx.settings.codeReplayMemoryMs);
    putGrant(op, active, t);
    if (clientEntry) extendClient(op, clientEntry, expiresAt, CLIENT_SLACK_MS, t);
    const body = await issue(ctx, op, active, c.scopes, g.refresh, t);
    if ((await op.commit()).ok) return body;
    // Lost a race: re-read; a concurrent exchange makes this a replay.
  }
  throw new ServerError("code exchange kept conflicting");
}

// ---------------------------------------------------------------------------------------------------------------
// refresh_token

async function refreshTokens(
  ctx: OAuthContext,
  wiki: WikiRef,
  credentials: ClientCredentials,
  form: URLSearchParams,
): Promise<TokenResponse> {
  const token = form.get("refresh_token");
  const invalid = "The refresh token is invalid, expired or revoked. Connect the app again.";
  const m = token?.match(REFRESH_SHAPE);
  if (!token || !m || (m[1] !== undefined && m[1] !== wiki.id)) {
    // Same order of checks as below: client, then the token's presence, then the client's grant types.
    const client = await readAndVerifyClient(ctx, credentials);
    if (!token) throw new InvalidRequestError("refresh_token is required.");
    refreshAllowed(client);
    throw new InvalidGrantError(invalid);
  }
  const keys = {
    kind: "refresh",
    wikiId: wiki.id,
    hashes: await ctx.keys.hmacAll("token-hash", token),
    grantId: m[2],
    memberKey: memberKeyOfGrant(ctx.kv, wiki, m[2]),
    clientKey: credentials.key,
  } as const;
  for (let attempt = 0; attempt < 6; attempt++) {
    const t = ctx.now();
    const read = await readTokenRequest<RefreshRecord>(ctx.kv, keys);
    const { secret: entry, grant: grantEntry, member: memberEntry, client: clientEntry } = read;
    const client = verifyClient(ctx, credentials, clientEntry);
    refreshAllowed(client);
    if (!entry || entry.value.expiresAt <= t || entry.value.wikiId !== wiki.id) throw new InvalidGrantError(invalid);
    const r = entry.value;
    if (r.clientId !== client.clientId) throw new InvalidGrantError("The refresh token was issued to another client.");
    const g = grantEntry.value;
    if (!g || !isLive(g, t) || g.id !== r.grantId || g.status !== "active") {
      throw new InvalidGrantError("This authorization was revoked. Connect the app again.");
    }
    const requested = parseScopes(form.get("scope"), r.scopes, ctx.settings.unknownScopes);
    const extra = requested.filter((s) => !r.scopes.includes(s));
    if (extra.length > 0) {
      throw new InvalidScopeError(`A refresh can only narrow the scope; ${extra.join(" ")} was not granted.`);
    }
    checkResource(form.getAll("resource"), g.resource);
    const op = tokenCommit(ctx.kv, entry, grantEntry);
    if (r.rotatedAt === null) {
      if (r.validUntil <= t) throw new InvalidGrantError(invalid);
      const memory = ctx.settings.refreshReuseMemoryMs;
      rewriteSecret(op, entry, { ...r, rotatedAt: t, expiresAt: t + memory }, memory);
    } else if (t - r.rotatedAt <= ctx.settings.refreshGraceMs && r.graceUses < ctx.settings.refreshGraceUses) {
      rewriteSecret(op, entry, { ...r, graceUses: r.graceUses + 1 }, r.expiresAt - t);
    } else {
      await deleteGrant(ctx.kv, wiki.id, g.id, ctx.now());
      throw new InvalidGrantError(
        "This refresh token was already used. For safety the authorization has been revoked; connect the app again.",
        { detail: `refresh reuse ${t - r.rotatedAt} ms after rotation, grant ${g.id} revoked` },
      );
    }
    // Capabilities follow the role: the new access token holds only what the user's current role allows.
    const scopes = scopesForRefresh(requested, await currentRole(ctx, wiki, r.did, memberEntry));
    const expiresAt = t + ctx.settings.refreshTokenTtlMs;
    const extended: GrantRecord = { ...g, expiresAt };
    putGrant(op, extended, t);
    if (clientEntry) extendClient(op, clientEntry, expiresAt, CLIENT_SLACK_MS, t);
    const body = await issue(ctx, op, extended, scopes, true, t);
    if ((await op.commit()).ok) return body;
  }
  throw new ServerError("refresh kept conflicting");
}

/** Refuses a refresh by a client that did not register the `refresh_token` grant. */
function refreshAllowed(client: AuthenticatedClient): void {
  if (client.record && !client.record.grantTypes.includes("refresh_token")) {
    throw new UnauthorizedClientError("This client did not register the refresh_token grant.");
  }
}
