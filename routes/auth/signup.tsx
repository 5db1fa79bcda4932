/**
 * @module
 * Signup (`GET/POST /auth/signup`): a signed-in person chooses the slug of their first wiki, which is created
 * private with them as owner; then the dashboard. Slug rules: lib/platform/slugs.ts. How many wikis a person may
 * own: `config.wikisPerUser`. Sending the form again for a wiki the person already owns under that slug lands on
 * the dashboard (a retry after a lost answer); a creation that failed left nothing visible, so a retry creates it.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { CurrentSession, PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { csrfToken, verifyCsrf } from "../../lib/session/csrf.ts";
import { checkSlug, defaultSlugFromHandle } from "../../lib/platform/slugs.ts";
import { AlreadyExistsError, InvalidInputError } from "../../lib/errors.ts";
import { OwnerLimitError } from "../../lib/wiki/owner_count.ts";
import { SignupLimitPage, SignupPage } from "./views.tsx";
import { readForm, STALE_FORM_MESSAGE } from "./login.tsx";
import { safeReturnTo } from "../../lib/session/return_to.ts";

/** CSRF purpose of the signup form. */
export const SIGNUP_PURPOSE = "signup";

async function ownedWikis(c: Context<PlatformEnv>, did: string) {
  return (await c.get("deps").wikis.forUser(did)).filter((w) => w.wiki.ownerDid === did).map((w) => w.wiki);
}

async function signupPage(
  c: Context<PlatformEnv>,
  session: CurrentSession,
  opts: { slug?: string; error?: string | null; status?: ContentfulStatusCode } = {},
): Promise<Response> {
  const deps = c.get("deps");
  const owned = await ownedWikis(c, session.record.did);
  if (owned.length >= deps.config.wikisPerUser) {
    return htmlPage(
      c,
      <SignupLimitPage
        urls={deps.urls}
        limit={deps.config.wikisPerUser}
        wikis={owned.map((w) => ({ slug: w.slug, title: w.title }))}
      />,
      opts.status === undefined || opts.status === 200 ? 200 : 409,
    );
  }
  const skip = safeReturnTo(deps.urls, c.req.query("return_to")) ?? deps.urls.platform("/app/");
  return htmlPage(
    c,
    <SignupPage
      urls={deps.urls}
      csrf={await csrfToken(deps.keys, session.id, SIGNUP_PURPOSE)}
      handle={session.record.handle}
      slug={opts.slug ?? defaultSlugFromHandle(session.record.handle)}
      error={opts.error ?? null}
      skipUrl={skip}
    />,
    opts.status ?? 200,
  );
}

function toLogin(c: Context<PlatformEnv>): Response {
  const { urls } = c.get("deps");
  return c.redirect(`${urls.platform("/auth/login")}?return_to=${encodeURIComponent(urls.platform("/auth/signup"))}`);
}

/** `GET /auth/signup`. */
export async function signupFormRoute(c: Context<PlatformEnv>): Promise<Response> {
  const session = c.get("session");
  if (!session) return toLogin(c);
  return await signupPage(c, session);
}

/** `POST /auth/signup`: creates the wiki (private, owned by the person) and goes to the dashboard. */
export async function signupSubmitRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const session = c.get("session");
  if (!session) return toLogin(c);
  const form = await readForm(c);
  const typed = String(form.get("slug") ?? "").slice(0, 100);
  if (!(await verifyCsrf(deps.keys, session.id, SIGNUP_PURPOSE, form.get("csrf")))) {
    return await signupPage(c, session, { slug: typed, error: STALE_FORM_MESSAGE, status: 403 });
  }
  const check = checkSlug(typed);
  if (!check.ok) return await signupPage(c, session, { slug: typed, error: check.message, status: 400 });
  const { did, handle } = session.record;
  const owned = await ownedWikis(c, did);
  // The same form sent again (its first answer lost, e.g. a 503 after the wiki was created): done already.
  if (owned.some((w) => w.slug === check.slug)) return c.redirect(deps.urls.platform("/app/"), 303);
  if (owned.length >= deps.config.wikisPerUser) {
    return await signupPage(c, session, { status: 409 });
  }
  try {
    // The limit is decided in the create's atomic commit: of concurrent signups only those under it succeed.
    await deps.wikis.create(
      { slug: check.slug, ownerDid: did, visibility: "private", ownerLimit: deps.config.wikisPerUser },
      { id: did, name: handle, client: "web" },
    );
  } catch (err) {
    if (err instanceof OwnerLimitError) return await signupPage(c, session, { status: 409 });
    if (err instanceof AlreadyExistsError || err instanceof InvalidInputError) {
      return await signupPage(c, session, {
        slug: check.slug,
        error: err.message,
        status: err instanceof AlreadyExistsError ? 409 : 400,
      });
    }
    throw err;
  }
  return c.redirect(deps.urls.platform("/app/"), 303);
}
