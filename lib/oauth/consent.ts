/**
 * @module
 * The consent step of the authorization endpoint (OAuth 2.1 §4.1; the request was validated by
 * lib/oauth/authorize.ts).
 *
 * Logged in -> {@link createConsent} stores the pending request (10 min, single use) and returns what the page shows
 * plus the CSRF token. The page is ALWAYS shown and needs a click, even when the user granted this client before (a
 * shared client id, like Claude's metadata-document id, would otherwise let a crafted link mint a grant for someone
 * else's account). `POST` -> {@link approveConsent} or {@link denyConsent}, which check the CSRF token and return the
 * redirect.
 *
 * Role rule: a member's role caps what they can grant. A viewer asked for `wiki:write` can still approve: the grant
 * is narrowed to `wiki:read` and the page says so beforehand (`narrowed`); if nothing grantable is left, approving
 * answers `invalid_scope` to the client.
 */
import { type Scope, scopesForRole } from "../auth/access.ts";
import type { Role } from "../wiki/types.ts";
import { newId, randomToken } from "../ids.ts";
import { csrfToken, verifyCsrf } from "../session/csrf.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { AccessDeniedError, InvalidScopeError, type OAuthError } from "./errors.ts";
import { getRegisteredClient, isMetadataDocumentId, type ResolvedClient } from "./clients.ts";
import { appKeyOf, type GrantRecord } from "./store.ts";
import { grantOfApp, putConsent, storeApproval, takeConsentRecord } from "./store_requests.ts";
import { type AuthorizationRequest, CODE_PREFIX, type CodeRecord, redirectWith } from "./authorize.ts";

/** The person answering the consent page and their current role on the wiki (null: no access). */
export interface ConsentUser {
  did: string;
  role: Role | null;
}

/** A pending consent as stored under `OK.consent` (single use). */
interface ConsentRecord {
  id: string;
  wikiId: string;
  did: string;
  request: AuthorizationRequest;
  createdAt: number;
  expiresAt: number;
}

/** A previous grant of the same app (this client, or an earlier registration of it) by the same user on the wiki. */
export interface PriorGrant {
  grantId: string;
  scopes: Scope[];
  grantedAt: number;
}

/** What the consent page shows, and what it posts back. */
export interface ConsentView {
  /** Posted back as `request_id`. */
  requestId: string;
  /** Posted back as `csrf` (bound to the browser session and this request). */
  csrf: string;
  expiresAt: number;
  clientName: string;
  clientId: string;
  clientKind: ResolvedClient["kind"];
  /** Host the browser returns to: show it prominently (CIMD security considerations). */
  redirectHost: string;
  /** True when every redirect URI of the client is on this computer (loopback): warn. */
  localhostOnly: boolean;
  /** Host publishing the metadata document (metadata-document clients). */
  metadataHost: string | null;
  wikiSlug: string;
  resource: string;
  requestedScopes: Scope[];
  /** What approving will grant (requested, capped by the user's role). */
  grantableScopes: Scope[];
  /** True when the role removed something that was asked for (the page must say so). */
  narrowed: boolean;
  /** The user granted this app before (maybe through an earlier registration): approving replaces that grant. */
  prior: PriorGrant | null;
}

/** Outcome of answering the consent page. */
export type ConsentOutcome =
  | { kind: "redirect"; url: string; scopes: Scope[] }
  | { kind: "error-page"; status: number; description: string };

const CONSENT_PURPOSE = "oauth-consent";

/** The CSRF token of a consent form: bound to the browser session (`session`) and the request id. */
export async function consentCsrf(ctx: OAuthContext, session: string, requestId: string): Promise<string> {
  return await csrfToken(ctx.keys, session, `${CONSENT_PURPOSE}:${requestId}`);
}

/**
 * Stores a validated request for the logged-in `user` (single use, `consentTtlMs`) and returns what the consent
 * page shows. `session` is the browser session id (the CSRF binding). A user without a role on the wiki gets an
 * error page: only members can grant.
 */
export async function createConsent(
  ctx: OAuthContext,
  wiki: WikiRef,
  request: AuthorizationRequest,
  user: ConsentUser,
  session: string,
): Promise<{ kind: "consent"; view: ConsentView } | { kind: "error-page"; status: number; description: string }> {
  if (user.role === null) {
    return {
      kind: "error-page",
      status: 403,
      description: `You are not a member of the wiki ${wiki.slug}, so you cannot connect apps to it. Ask its owner ` +
        "to add you, or sign in with another account.",
    };
  }
  const t = ctx.now();
  const id = randomToken(24);
  const record: ConsentRecord = {
    id,
    wikiId: wiki.id,
    did: user.did,
    request,
    createdAt: t,
    expiresAt: t + ctx.settings.consentTtlMs,
  };
  await putConsent(ctx.kv, record, ctx.settings.consentTtlMs);
  const grantable = request.scopes.filter((s) => scopesForRole(user.role!).includes(s));
  const loopback = (u: string) => /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?\//i.test(u);
  return {
    kind: "consent",
    view: {
      requestId: id,
      csrf: await consentCsrf(ctx, session, id),
      expiresAt: record.expiresAt,
      clientName: request.clientName,
      clientId: request.clientId,
      clientKind: request.clientKind,
      redirectHost: new URL(request.redirectUri).host,
      localhostOnly: request.registeredRedirectUris.every(loopback),
      metadataHost: request.clientKind === "metadata-document" ? new URL(request.clientId).host : null,
      wikiSlug: wiki.slug,
      resource: request.resource,
      requestedScopes: request.scopes,
      grantableScopes: grantable,
      narrowed: grantable.length < request.scopes.length,
      prior: await priorGrantOfApp(ctx, wiki.id, user.did, await requestAppKey(request)),
    },
  };
}

/**
 * The app key ({@link appKeyOf}) of a request's client: a registered client without a name shows its client id as
 * its name, and is then only itself.
 */
export async function requestAppKey(r: AuthorizationRequest): Promise<string> {
  return await appKeyOf({
    clientId: r.clientId,
    clientKind: r.clientKind,
    name: r.clientName === r.clientId ? null : r.clientName,
    redirectUris: r.registeredRedirectUris,
  });
}

/**
 * The user's current grant to the app of client `clientId` on this wiki (through this registration or another of
 * the same app), if any ("you granted this before").
 */
export async function priorGrant(
  ctx: OAuthContext,
  wikiId: string,
  did: string,
  clientId: string,
): Promise<PriorGrant | null> {
  const c = isMetadataDocumentId(clientId) ? null : await getRegisteredClient(ctx, wikiId, clientId);
  const appKey = c
    ? await appKeyOf({ clientId, clientKind: "registered", name: c.name, redirectUris: c.redirectUris })
    : clientId;
  return await priorGrantOfApp(ctx, wikiId, did, appKey);
}

/** The user's current grant to the app `appKey` ({@link requestAppKey}) on this wiki, if any. */
async function priorGrantOfApp(
  ctx: OAuthContext,
  wikiId: string,
  did: string,
  appKey: string,
): Promise<PriorGrant | null> {
  const g = await grantOfApp(ctx.kv, wikiId, did, appKey, ctx.now());
  return g && g.status === "active" ? { grantId: g.id, scopes: g.scopes, grantedAt: g.createdAt } : null;
}

/** The posted consent form. */
export interface ConsentAnswer {
  requestId: string;
  csrf: string | null;
  /** Browser session id (the CSRF binding). */
  session: string;
  /** The user now (role read fresh by the route). */
  user: ConsentUser;
}

/** Checks the CSRF token and takes the pending request out of KV (single use, atomic). */
async function takeConsent(
  ctx: OAuthContext,
  wiki: WikiRef,
  answer: ConsentAnswer,
): Promise<ConsentRecord | { kind: "error-page"; status: number; description: string }> {
  const ok = typeof answer.requestId === "string" && answer.requestId.length <= 64 &&
    await verifyCsrf(ctx.keys, answer.session, `${CONSENT_PURPOSE}:${answer.requestId}`, answer.csrf);
  if (!ok) {
    return {
      kind: "error-page",
      status: 403,
      description: "This consent form was not sent from this page or has expired. Start the connection again " +
        "from the app.",
    };
  }
  const taken = await takeConsentRecord<ConsentRecord, { kind: "error-page"; status: number; description: string }>(
    ctx.kv,
    wiki.id,
    answer.requestId,
    ctx.now(),
    (rec) =>
      rec.did === answer.user.did
        ? null
        : { kind: "error-page", status: 403, description: "This authorization request belongs to another account." },
  );
  if (taken !== "gone") return taken;
  return {
    kind: "error-page",
    status: 400,
    description: "This authorization request has expired or was already answered. Start the connection again " +
      "from the app.",
  };
}

/**
 * Approves: creates THE grant of (wiki, user, app), replacing a previous one (whose tokens stop working at once):
 * the previous grant of this client, or of another registration with the same name and redirect URIs (Claude.ai
 * registers anew on every connect). Redirects with a single-use authorization code (`codeTtlMs`, stored as an
 * HMAC), `state` and `iss`.
 */
export async function approveConsent(ctx: OAuthContext, wiki: WikiRef, answer: ConsentAnswer): Promise<ConsentOutcome> {
  const rec = await takeConsent(ctx, wiki, answer);
  if ("kind" in rec) return rec;
  const r = rec.request;
  const issuer = ctx.urls.issuerFor(wiki.slug, r.resource);
  const redirectError = (err: OAuthError): ConsentOutcome => ({
    kind: "redirect",
    url: redirectWith(r.redirectUri, { ...err.toJSON(), state: r.state }, issuer),
    scopes: [],
  });
  if (answer.user.role === null) {
    return redirectError(new AccessDeniedError("The user no longer has access to this wiki."));
  }
  const allowed = scopesForRole(answer.user.role);
  const scopes = r.scopes.filter((s) => allowed.includes(s));
  if (scopes.length === 0) {
    return redirectError(
      new InvalidScopeError(
        `A ${answer.user.role} of this wiki cannot grant ${r.scopes.join(" ")}; ask for wiki:read.`,
      ),
    );
  }
  const t = ctx.now();
  const appKey = await requestAppKey(r);
  const grant: GrantRecord = {
    id: newId("g"),
    wikiId: wiki.id,
    did: rec.did,
    clientId: r.clientId,
    clientName: r.clientName,
    clientKind: r.clientKind,
    redirectUri: r.redirectUri,
    scopes,
    resource: r.resource,
    refresh: r.refresh,
    status: "pending",
    createdAt: t,
    expiresAt: t + ctx.settings.codeReplayMemoryMs,
    appKey,
  };
  const code = `${CODE_PREFIX}${grant.wikiId}.${grant.id}.${randomToken(32)}`;
  const codeRecord: CodeRecord = {
    wikiId: wiki.id,
    grantId: grant.id,
    clientId: r.clientId,
    did: rec.did,
    redirectUri: r.redirectUri,
    redirectUriGiven: r.redirectUriGiven,
    codeChallenge: r.codeChallenge,
    resource: r.resource,
    scopes,
    consumedAt: null,
    expiresAt: t + ctx.settings.codeTtlMs,
  };
  const stored = await storeApproval(ctx.kv, {
    grant,
    // The app's pointer, and the client's own pointer of a grant stored before app keys existed.
    appKeys: [appKey, r.clientId],
    code: { hash: await ctx.keys.hmac("token-hash", code), record: codeRecord, ttlMs: ctx.settings.codeTtlMs },
    registeredClientId: r.clientKind === "registered" ? r.clientId : null,
    unusedClientTtlMs: ctx.settings.unusedClientTtlMs,
  }, t);
  if (stored === "client-expired") {
    return redirectError(new AccessDeniedError("The application's registration expired; reconnect it."));
  }
  return { kind: "redirect", url: redirectWith(r.redirectUri, { code, state: r.state }, issuer), scopes };
}

/** Denies: redirects with `error=access_denied`, `state` and `iss`. */
export async function denyConsent(ctx: OAuthContext, wiki: WikiRef, answer: ConsentAnswer): Promise<ConsentOutcome> {
  const rec = await takeConsent(ctx, wiki, answer);
  if ("kind" in rec) return rec;
  const err = new AccessDeniedError("The user declined to connect this application.");
  const url = redirectWith(
    rec.request.redirectUri,
    { ...err.toJSON(), state: rec.request.state },
    ctx.urls.issuerFor(wiki.slug, rec.request.resource),
  );
  return { kind: "redirect", url, scopes: [] };
}
