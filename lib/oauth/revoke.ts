/**
 * @module
 * Revocation: RFC 7009 at `POST /revoke`, and the dashboard's "Connected apps" (list, revoke one grant), plus
 * bulk revocation when a wiki or an account is deleted. Revoking a grant takes effect at once on the MCP endpoint,
 * which reads the grant on every call.
 */
import type { Scope } from "../auth/principal.ts";
import type { WikiId } from "../kv/keys.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidRequestError, oauthErrorResponse } from "./errors.ts";
import {
  deleteGrant,
  forgetWiki,
  listActiveGrants,
  revokeAccessToken,
  revokeRefreshToken,
  revokeUserGrants,
} from "./store.ts";
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from "./tokens.ts";
import { authenticateClient, readForm } from "./client_auth.ts";

/**
 * `POST /revoke` (RFC 7009): authenticates the client as registered, then revokes the token if it is this
 * client's. An access token is deleted; a refresh token revokes its whole grant (and so its access tokens,
 * RFC 7009 §2.1). Unknown tokens, and tokens of other clients, get 200 with no effect (nothing is disclosed).
 */
export async function revokeEndpoint(ctx: OAuthContext, wiki: WikiRef, req: Request): Promise<Response> {
  try {
    const form = await readForm(req);
    await revokeToken(ctx, wiki, form, req.headers.get("authorization"));
    return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return oauthErrorResponse(err, "/revoke");
  }
}

/** The revocation logic of {@link revokeEndpoint}; returns what was revoked. */
export async function revokeToken(
  ctx: OAuthContext,
  wiki: WikiRef,
  form: URLSearchParams,
  authorization: string | null,
): Promise<"access" | "grant" | "nothing"> {
  const client = await authenticateClient(ctx, wiki, form, authorization);
  const token = form.get("token");
  if (!token) throw new InvalidRequestError("token is required.");
  if (token.length > 1000) return "nothing";
  const hashes = await ctx.keys.hmacAll("token-hash", token);
  if (token.startsWith(ACCESS_TOKEN_PREFIX)) {
    if (await revokeAccessToken(ctx.kv, wiki.id, hashes, client.clientId)) return "access";
  } else if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
    if (await revokeRefreshToken(ctx.kv, wiki.id, hashes, client.clientId, ctx.now())) return "grant";
  }
  return "nothing";
}

/** One row of the dashboard's "Connected apps". */
export interface ConnectedApp {
  grantId: string;
  /** Who granted it. */
  did: string;
  clientId: string;
  clientName: string;
  /** Host the client redirects to (shown so people recognise the app). */
  redirectHost: string;
  scopes: Scope[];
  grantedAt: number;
  lastUsedAt: number | null;
  /** When the grant lapses if the app stops refreshing. */
  expiresAt: number;
}

/** A wiki's active grants (all users), newest first. */
export async function listGrants(ctx: OAuthContext, wikiId: WikiId): Promise<ConnectedApp[]> {
  const out: ConnectedApp[] = (await listActiveGrants(ctx.kv, wikiId, ctx.now())).map(({ grant: g, lastUsedAt }) => ({
    grantId: g.id,
    did: g.did,
    clientId: g.clientId,
    clientName: g.clientName,
    redirectHost: new URL(g.redirectUri).host,
    scopes: g.scopes,
    grantedAt: g.createdAt,
    lastUsedAt,
    expiresAt: g.expiresAt,
  }));
  return out.sort((a, b) => b.grantedAt - a.grantedAt || (a.grantId < b.grantId ? -1 : 1));
}

/** Revokes one grant (Connected apps "Revoke"): every token of it fails at once. False when there was none. */
export async function revokeGrant(ctx: OAuthContext, wikiId: WikiId, grantId: string): Promise<boolean> {
  return await deleteGrant(ctx.kv, wikiId, grantId, ctx.now());
}

/** Deletes every OAuth record of a wiki (wiki deletion): the OAuth store's `forgetWiki`. */
export async function revokeAllForWiki(ctx: OAuthContext, wikiId: WikiId): Promise<number> {
  return await forgetWiki(ctx.kv, wikiId);
}

/**
 * Revokes every grant of a user on every wiki (their tokens then fail as revoked). Account deletion goes further:
 * the OAuth store's `forgetUser` also deletes the person's token records.
 */
export async function revokeAllForUser(ctx: OAuthContext, did: string): Promise<number> {
  return (await revokeUserGrants(ctx.kv, did, ctx.now())).n;
}
