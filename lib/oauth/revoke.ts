/**
 * @module
 * Revocation: RFC 7009 at `POST /revoke`, and the dashboard's "Connected apps" (list, revoke one grant), plus
 * bulk revocation when a wiki or an account is deleted. Revoking a grant takes effect at once on the MCP endpoint,
 * which reads the grant on every call.
 */
import type { Scope } from "../auth/principal.ts";
import type { WikiId } from "../kv/keys.ts";
import { isLive } from "../kv/expiring.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidRequestError, oauthErrorResponse } from "./errors.ts";
import { OAUTH_WIKI_SCOPED_TYPES, OK } from "./keys.ts";
import { deleteGrant, type GrantPointer, type GrantRecord } from "./grants.ts";
import { ACCESS_TOKEN_PREFIX, type AccessRecord, REFRESH_TOKEN_PREFIX, type RefreshRecord } from "./tokens.ts";
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
    for (const h of hashes) {
      const e = await ctx.kv.get<AccessRecord>(OK.access(wiki.id, h));
      if (e.value && e.value.clientId === client.clientId) {
        await ctx.kv.atomic().check(e).delete(e.key).commit();
        return "access";
      }
    }
  } else if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
    for (const h of hashes) {
      const e = await ctx.kv.get<RefreshRecord>(OK.refresh(wiki.id, h));
      if (e.value && e.value.clientId === client.clientId) {
        await ctx.kv.delete(e.key);
        await deleteGrant(ctx, wiki.id, e.value.grantId);
        return "grant";
      }
    }
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
  const t = ctx.now();
  const grants: GrantRecord[] = [];
  for await (const e of ctx.kv.list<GrantRecord>({ prefix: ["oauth_grant", wikiId] })) {
    if (isLive(e.value, t) && e.value.status === "active") grants.push(e.value);
  }
  const out: ConnectedApp[] = [];
  for (let i = 0; i < grants.length; i += 10) {
    const chunk = grants.slice(i, i + 10);
    const used = await ctx.kv.getMany<{ at: number }[]>(chunk.map((g) => OK.grantUsed(wikiId, g.id)));
    chunk.forEach((g, j) =>
      out.push({
        grantId: g.id,
        did: g.did,
        clientId: g.clientId,
        clientName: g.clientName,
        redirectHost: new URL(g.redirectUri).host,
        scopes: g.scopes,
        grantedAt: g.createdAt,
        lastUsedAt: used[j].value?.at ?? null,
        expiresAt: g.expiresAt,
      })
    );
  }
  return out.sort((a, b) => b.grantedAt - a.grantedAt || (a.grantId < b.grantId ? -1 : 1));
}

/** Revokes one grant (Connected apps "Revoke"): every token of it fails at once. False when there was none. */
export async function revokeGrant(ctx: OAuthContext, wikiId: WikiId, grantId: string): Promise<boolean> {
  return await deleteGrant(ctx, wikiId, grantId);
}

/** Deletes every OAuth record of a wiki (wiki deletion): clients, grants, codes, tokens, consents, counters. */
export async function revokeAllForWiki(ctx: OAuthContext, wikiId: WikiId): Promise<number> {
  const doomed: Deno.KvKey[] = [];
  for await (const e of ctx.kv.list<GrantRecord>({ prefix: ["oauth_grant", wikiId] })) {
    if (e.value?.did) doomed.push(OK.userGrant(e.value.did, wikiId, e.value.id));
  }
  for (const type of OAUTH_WIKI_SCOPED_TYPES) {
    for await (const e of ctx.kv.list({ prefix: [type, wikiId] })) doomed.push(e.key);
  }
  await deleteKeys(ctx.kv, doomed);
  return doomed.length;
}

/** Revokes every grant of a user on every wiki (account deletion). Returns how many. */
export async function revokeAllForUser(ctx: OAuthContext, did: string): Promise<number> {
  const ids: { wikiId: string; grantId: string; key: Deno.KvKey }[] = [];
  for await (const e of ctx.kv.list<GrantPointer>({ prefix: ["oauth_user_grant", did] })) {
    ids.push({ wikiId: e.key[2] as string, grantId: e.key[3] as string, key: e.key });
  }
  let n = 0;
  for (const { wikiId, grantId, key } of ids) {
    if (await deleteGrant(ctx, wikiId, grantId)) n++;
    await ctx.kv.delete(key);
  }
  return n;
}

async function deleteKeys(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    const op = kv.atomic();
    for (const k of keys.slice(i, i + 500)) op.delete(k);
    await op.commit();
  }
}
