/**
 * @module
 * The machine-facing OAuth endpoints of a wiki's authorization server: RFC 8414 metadata (and its
 * OpenID-configuration alias), `/token`, `/register` (RFC 7591) and `/revoke` (RFC 7009). Each handler is thin:
 * find the wiki, call `deps.oauth`, add CORS. lib/oauth answers OAuth errors itself (JSON, `no-store`); a failure
 * anywhere on the way (finding the wiki included) is answered in the same JSON by lib/oauth/errors.ts: a KV failure
 * `temporarily_unavailable` (503), anything else a logged `server_error` (500) with a request id.
 */
import type { Context } from "hono";
import type { WikiEnv } from "../../env.ts";
import type { WikiRef } from "../../../lib/oauth/context.ts";
import { NO_STORE_HEADERS, oauthErrorResponse, UnknownWikiError } from "../../../lib/oauth/errors.ts";
import { ENDPOINT_CORS_HEADERS, METADATA_CORS_HEADERS, withHeaders } from "./cors.ts";

/** The wiki addressed by the request as `{ id, slug }`, or null when no wiki has that slug. */
export async function wikiRefOf(c: Context<WikiEnv>): Promise<WikiRef | null> {
  const wiki = await c.get("deps").wikis.bySlug(c.env.slug);
  return wiki === null ? null : { id: wiki.id, slug: wiki.slug };
}

/** The JSON 404 (`invalid_request`) of an OAuth endpoint whose wiki does not exist. */
export function noSuchWiki(slug: string, cors: Readonly<Record<string, string>>): Response {
  const err = new UnknownWikiError(`No wiki called "${slug}" exists on robot.wtf; check the address.`);
  return withHeaders(oauthErrorResponse(err), cors);
}

/**
 * Runs an endpoint; whatever it throws is answered as an OAuth JSON error (a KV failure `temporarily_unavailable`
 * 503, a bug a logged `server_error` 500 with a request id) with the endpoint's CORS headers.
 */
function guarded(
  cors: Readonly<Record<string, string>>,
  handler: (c: Context<WikiEnv>) => Promise<Response>,
): (c: Context<WikiEnv>) => Promise<Response> {
  return async (c) => {
    try {
      return await handler(c);
    } catch (err) {
      return withHeaders(oauthErrorResponse(err, `${c.req.method} ${new URL(c.req.url).pathname}`), cors);
    }
  };
}

/** `GET` RFC 8414 metadata: the wiki's issuer and endpoints (the same document for the OpenID alias). */
export const metadataRoute = guarded(METADATA_CORS_HEADERS, async (c) => {
  const ref = await wikiRefOf(c);
  if (ref === null) return noSuchWiki(c.env.slug, METADATA_CORS_HEADERS);
  return new Response(JSON.stringify(c.get("deps").oauth.metadata(ref.slug)), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "public, max-age=300",
      ...METADATA_CORS_HEADERS,
    },
  });
});

/** `POST /token`: code exchange and refresh (`Cache-Control: no-store` on every answer). */
export const tokenRoute = guarded(ENDPOINT_CORS_HEADERS, async (c) => {
  const ref = await wikiRefOf(c);
  if (ref === null) return noSuchWiki(c.env.slug, ENDPOINT_CORS_HEADERS);
  const res = await c.get("deps").oauth.token(ref, c.req.raw);
  return withHeaders(res, { ...ENDPOINT_CORS_HEADERS, "cache-control": NO_STORE_HEADERS["Cache-Control"] });
});

/** `POST /register`: dynamic client registration, limited per client address (`c.env.source`). */
export const registerRoute = guarded(ENDPOINT_CORS_HEADERS, async (c) => {
  const ref = await wikiRefOf(c);
  if (ref === null) return noSuchWiki(c.env.slug, ENDPOINT_CORS_HEADERS);
  return withHeaders(await c.get("deps").oauth.register(ref, c.req.raw, c.env.source), ENDPOINT_CORS_HEADERS);
});

/** `POST /revoke`: token revocation. */
export const revokeRoute = guarded(ENDPOINT_CORS_HEADERS, async (c) => {
  const ref = await wikiRefOf(c);
  if (ref === null) return noSuchWiki(c.env.slug, ENDPOINT_CORS_HEADERS);
  return withHeaders(await c.get("deps").oauth.revoke(ref, c.req.raw), ENDPOINT_CORS_HEADERS);
});
