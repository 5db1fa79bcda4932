/**
 * @module
 * `{origin}/mcp` in path mode with `PRIMARY_WIKI`: the primary wiki's MCP endpoint at a second resource. One wiki
 * then answers at two audiences, `{origin}/mcp` (tokens of the origin root's issuer) and `{origin}/w/{slug}/mcp`
 * (tokens of the wiki's own issuer): each accepts only its own OAuth tokens (the grant's bound resource is read
 * before the request reaches the endpoint), and the root endpoint's challenges point at the root's
 * protected-resource metadata. Per-wiki tokens (`rwtf_`) name no resource and work at both.
 */
import type { Urls } from "../../lib/urls.ts";
import type { OAuthServer } from "../../lib/oauth/server.ts";
import { bearerChallenge } from "../../lib/auth/authenticate.ts";
import { bearerToken } from "../../lib/auth/principal.ts";
import { RPC, rpcError } from "../../lib/mcp/rpc.ts";
import { SCOPES } from "../../lib/auth/access.ts";
import { ACCESS_TOKEN_PREFIX } from "../../lib/oauth/tokens.ts";

/** The origin root's protected-resource metadata URL. */
export function rootPrmUrl(urls: Urls): string {
  return `${urls.origin}/.well-known/oauth-protected-resource/mcp`;
}

/**
 * Refuses an OAuth access token presented at the wrong one of the primary wiki's two resources (`atRoot`: the
 * request is for `{origin}/mcp`): a 401 `invalid_token` challenge, or null to go on.
 */
export async function refuseOtherAudience(
  deps: { urls: Urls; oauth: OAuthServer },
  request: Request,
  slug: string,
  atRoot: boolean,
): Promise<Response | null> {
  const token = bearerToken(request);
  if (!token || !token.startsWith(ACCESS_TOKEN_PREFIX)) return null;
  const audience = await deps.oauth.audienceOf(token);
  if (audience === null) return null; // unknown: the endpoint refuses it with its own reason
  const root = deps.urls.rootMcp();
  if ((audience === root) === atRoot) return null;
  const here = atRoot ? root : deps.urls.mcp(slug);
  const msg = `This token was issued for ${audience}, not for ${here}; connect the app to ${here} to use it here.`;
  const prm = atRoot ? rootPrmUrl(deps.urls) : deps.urls.protectedResourceMetadata(slug);
  return rpcError(401, RPC.unauthorized, msg, {
    "www-authenticate": bearerChallenge(prm, "invalid_token", SCOPES.join(" "), msg),
    "access-control-expose-headers": "WWW-Authenticate",
  });
}

/** Points the 401/403 challenge of `{origin}/mcp` at the origin root's protected-resource metadata. */
export function rootChallenge(res: Response, urls: Urls): Response {
  const www = res.headers.get("www-authenticate");
  if (www === null) return res;
  const headers = new Headers(res.headers);
  headers.set("www-authenticate", www.replace(/resource_metadata="[^"]*"/, `resource_metadata="${rootPrmUrl(urls)}"`));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
