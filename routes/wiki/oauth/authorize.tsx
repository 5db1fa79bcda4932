/**
 * @module
 * The authorization endpoint and the consent form of a wiki (`GET /authorize`, `POST /authorize`).
 *
 * GET: validate with `deps.oauth.authorize` (client and redirect URI are checked before anything could redirect;
 * a request that cannot be redirected gets a readable error page), then: nobody signed in on this origin -> the
 * wiki's sign-in (`/-/auth/login?return_to=<this URL>`), which brings the person back signed in; signed in -> the
 * consent page (always shown, always needs a click). POST: the Approve / Deny buttons, checked against the CSRF
 * token bound to the browser session, with the person's role read fresh.
 *
 * Every answer is `no-store`; the consent page cannot be framed (`frame-ancestors 'none'`, `X-Frame-Options:
 * DENY`) and its `form-action` allows this origin plus the client's redirect origin (browsers apply `form-action`
 * to the redirect that follows the form post).
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { WikiEnv } from "../../env.ts";
import type { WikiRecord } from "../../../lib/wiki/types.ts";
import { readableByAnyone } from "../../../lib/auth/access.ts";
import { errorResponse } from "../../errors.tsx";
import { htmlPage } from "../../components/html.ts";
import { contentSecurityPolicy } from "../../../lib/web/security_headers.ts";
import { ConsentPage } from "./consent_page.tsx";
import { BodyError, readUrlEncoded } from "../../../lib/net/body.ts";

/** Heading of the authorization error pages. */
export const AUTHORIZE_ERROR_TITLE = "This connection request cannot be completed";

/** Longest consent form body read (two short hidden fields and a button). */
const MAX_CONSENT_FORM_BYTES = 4096;

/** `GET /authorize`. */
export async function authorizeRoute(c: Context<WikiEnv>): Promise<Response> {
  const deps = c.get("deps");
  const wiki = await loadWikiFor(c);
  if (wiki === null) return noStore(noWiki(c));
  const ref = { id: wiki.id, slug: wiki.slug };
  const url = new URL(c.req.url);
  const outcome = await deps.oauth.authorize(ref, url.searchParams, c.env.source);
  if (outcome.kind === "error-page") {
    const res = noStore(authorizeError(c, outcome.status, outcome.error, outcome.description));
    for (const [k, v] of Object.entries(outcome.headers ?? {})) res.headers.set(k, v);
    return res;
  }
  if (outcome.kind === "redirect-error") return noStore(c.redirect(outcome.url, 302));
  // A HEAD (link preview, prefetch check) stops here: no pending consent is stored for it.
  if (c.req.method === "HEAD") return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
  const session = c.get("session");
  if (session === null) {
    const here = deps.urls.wiki(wiki.slug, "/authorize") + url.search;
    const login = deps.urls.wiki(wiki.slug, "/-/auth/login") + "?return_to=" + encodeURIComponent(here);
    return noStore(c.redirect(login, 302));
  }
  const role = await deps.wikis.roleOf(wiki, session.record.did);
  const consent = await deps.oauth.createConsent(
    ref,
    outcome.request,
    { did: session.record.did, role },
    session.id,
  );
  if (consent.kind === "error-page") {
    return noStore(authorizeError(c, consent.status, "access_denied", consent.description));
  }
  const res = htmlPage(
    c,
    <ConsentPage
      urls={deps.urls}
      wiki={wiki}
      view={consent.view}
      user={session.record}
      role={role!}
      now={deps.oauth.ctx.now()}
    />,
  );
  res.headers.set("content-security-policy", consentPolicy(c.get("nonce"), outcome.request.redirectUri));
  res.headers.set("x-frame-options", "DENY");
  return noStore(res);
}

/** `POST /authorize`: the consent form's Approve or Deny. */
export async function consentRoute(c: Context<WikiEnv>): Promise<Response> {
  const deps = c.get("deps");
  const wiki = await loadWikiFor(c);
  if (wiki === null) return noStore(noWiki(c));
  const session = c.get("session");
  if (session === null) {
    return noStore(authorizeError(
      c,
      403,
      "access_denied",
      "You are not signed in on this wiki any more, so this answer cannot be accepted. Start the connection " +
        "again from the app.",
    ));
  }
  const form = await readConsentForm(c.req.raw);
  const decision = form?.get("decision");
  if (!form || (decision !== "approve" && decision !== "deny")) {
    return noStore(authorizeError(
      c,
      400,
      "invalid_request",
      "The consent form was incomplete: it must be sent with its Approve or Deny button. Start the connection " +
        "again from the app.",
    ));
  }
  const did = session.record.did;
  const answer = {
    requestId: form.get("request_id") ?? "",
    csrf: form.get("csrf"),
    session: session.id,
    user: { did, role: await deps.wikis.roleOf(wiki, did) },
  };
  const ref = { id: wiki.id, slug: wiki.slug };
  const outcome = decision === "approve" ? await deps.oauth.approve(ref, answer) : await deps.oauth.deny(ref, answer);
  if (outcome.kind === "error-page") {
    return noStore(authorizeError(c, outcome.status, "access_denied", outcome.description));
  }
  return noStore(c.redirect(outcome.url, 302));
}

/**
 * The consent page's Content-Security-Policy: the app's policy (no framing) with `form-action` widened to the
 * client's redirect origin, which the post-consent redirect goes to.
 */
export function consentPolicy(nonce: string, redirectUri: string): string {
  const u = new URL(redirectUri);
  // CSP host sources cannot name IPv6 literals: allow the scheme for [::1] loopback clients.
  const source = u.hostname.startsWith("[") ? u.protocol : u.origin;
  return contentSecurityPolicy(nonce).replace("form-action 'self'", `form-action 'self' ${source}`);
}

/**
 * The wiki of the request, or null. A public wiki is put on the context so error pages show its navigation; a
 * private one is not (its title must not show to someone who is not signed in).
 */
async function loadWikiFor(c: Context<WikiEnv>): Promise<WikiRecord | null> {
  const wiki = await c.get("deps").wikis.bySlug(c.env.slug);
  if (wiki !== null && readableByAnyone(wiki.visibility)) c.set("wiki", wiki);
  return wiki;
}

function noWiki(c: Context<WikiEnv>): Response {
  return errorResponse(
    c,
    404,
    "not_found",
    `No wiki called ${c.env.slug}`,
    `There is no wiki called "${c.env.slug}" on robot.wtf, so nothing can be connected to it. Check the address.`,
  );
}

/** A readable error page of the authorization endpoint; shows the OAuth error code for whoever debugs it. */
function authorizeError(c: Context<WikiEnv>, status: number, error: string, description: string): Response {
  return errorResponse(
    c,
    status as ContentfulStatusCode,
    error,
    AUTHORIZE_ERROR_TITLE,
    description,
    <p class="consent-error-code">
      Error code: <code>{error}</code>
    </p>,
  );
}

function noStore(res: Response): Response {
  res.headers.set("cache-control", "no-store");
  return res;
}

/** The posted form (lib/net/body.ts), or null when it is not a form or too large. */
async function readConsentForm(req: Request): Promise<URLSearchParams | null> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return null;
  try {
    return await readUrlEncoded(req, MAX_CONSENT_FORM_BYTES);
  } catch (err) {
    if (err instanceof BodyError) return null;
    throw err;
  }
}
