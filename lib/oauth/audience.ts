/**
 * @module
 * The audience of an OAuth access token: the resource its grant was issued for (RFC 8707), read from the grant the
 * token names. Used where one wiki is served at two resources (path mode with `PRIMARY_WIKI`: `{origin}/mcp` and
 * `{origin}/w/{slug}/mcp`), so that each accepts only its own tokens.
 */
import type { OAuthContext } from "./context.ts";
import { getGrant } from "./store.ts";
import { parseAccessToken } from "./verify.ts";

/** The resource the grant behind access token `token` is bound to; null when it is not one of ours or has no grant. */
export async function audienceOf(ctx: OAuthContext, token: string): Promise<string | null> {
  const parts = parseAccessToken(token);
  if (parts === null) return null;
  return (await getGrant(ctx.kv, parts.wikiId, parts.grantId, ctx.now()))?.resource ?? null;
}
