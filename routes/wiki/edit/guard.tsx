/**
 * @module
 * Who may write in the browser, and the CSRF check of every editing form.
 *
 * Who may write is the access policy's (lib/auth/access.ts): admins and editors (the role comes from the wiki
 * loader, `c.get("role")`). Everyone else is
 * refused with a readable 403 page: signed-out visitors get a link to sign in (and come back here), signed-in
 * viewers and non-members are told whom to ask. Every POST carries a CSRF token bound to the browser's session id
 * and to the wiki (purpose `wiki-edit:{wiki id}`), so a token from another wiki or another session is refused.
 */
import type { Context } from "hono";
import type { Actor } from "../../../lib/wiki/types.ts";
import { roleCan } from "../../../lib/auth/access.ts";
import { csrfToken, verifyCsrf } from "../../../lib/session/csrf.ts";
import type { WikiEnv } from "../../env.ts";
import { errorResponse } from "../../errors.tsx";
import { Preserved } from "./forms.tsx";

/** Name of the hidden form field carrying the CSRF token. */
export const CSRF_FIELD = "csrf";

/** A person allowed to write: the actor recorded on revisions and the session id the CSRF token is bound to. */
export interface Writer {
  actor: Actor;
  sessionId: string;
}

/** The signed-in writer of this request, or null when the visitor may not write. */
export function writerOf(c: Context<WikiEnv>): Writer | null {
  const session = c.get("session");
  if (!session || !roleCan(c.get("role"), "write")) return null;
  const { did, handle } = session.record;
  return { actor: { id: did, name: handle, client: "web" }, sessionId: session.id };
}

/**
 * The writer, or the 403 page that refuses this visitor (see {@link refuseWrite}). `preserved` is text the person
 * submitted (a session that ended mid-edit must not lose it).
 */
export function requireWriter(c: Context<WikiEnv>, returnTo?: string, preserved?: string): Writer | Response {
  return writerOf(c) ?? refuseWrite(c, returnTo, preserved);
}

/**
 * 403 for someone who may not write: a "sign in to edit" page with a link to `/-/auth/login?return_to=` (this
 * page, or `returnTo`) for signed-out visitors; an explanation for viewers and non-members.
 */
export function refuseWrite(c: Context<WikiEnv>, returnTo?: string, preserved?: string): Response {
  const session = c.get("session");
  if (!session) {
    const login = signInUrl(c, returnTo ?? currentUrl(c));
    return errorResponse(
      c,
      403,
      "sign_in_required",
      "Sign in to edit",
      "You need to sign in to change pages in this wiki. Nothing was changed.",
      <>
        <p class="form-actions">
          <a class="button" href={login}>Sign in to edit</a>
        </p>
        <Preserved text={preserved} />
      </>,
    );
  }
  const who = `@${session.record.handle}`;
  const role = c.get("role");
  const message = roleCan(role, "read") && !roleCan(role, "write")
    ? `You are signed in as ${who}, who can read this wiki but not change it (role: ${role}). Ask an admin of the ` +
      "wiki to make you an editor. Nothing was changed."
    : `You are signed in as ${who}, who is not a member of this wiki, so you cannot change it. Ask its owner to ` +
      "add you as an editor. Nothing was changed.";
  return errorResponse(c, 403, "forbidden", "You cannot edit this wiki", message, <Preserved text={preserved} />);
}

/** The wiki's sign-in URL that comes back to `returnTo` (an absolute URL on this wiki) afterwards. */
export function signInUrl(c: Context<WikiEnv>, returnTo: string): string {
  const { urls } = c.get("deps");
  return urls.wiki(c.get("wiki").slug, `/-/auth/login?${new URLSearchParams({ return_to: returnTo })}`);
}

/** The absolute public URL of this request (the wiki app sees paths relative to the wiki base). */
export function currentUrl(c: Context<WikiEnv>): string {
  const { urls } = c.get("deps");
  const inner = new URL(c.req.url);
  return urls.wiki(c.get("wiki").slug, inner.pathname + inner.search);
}

/** CSRF purpose of this wiki's editing forms. */
function purpose(c: Context<WikiEnv>): string {
  return `wiki-edit:${c.get("wiki").id}`;
}

/** The CSRF token for a form shown to `writer` on this wiki. */
export async function formToken(c: Context<WikiEnv>, writer: Writer): Promise<string> {
  return await csrfToken(c.get("deps").keys, writer.sessionId, purpose(c));
}

/** True when `token` is the right CSRF token for `writer` on this wiki. */
export async function csrfValid(c: Context<WikiEnv>, writer: Writer, token: string): Promise<boolean> {
  return await verifyCsrf(c.get("deps").keys, writer.sessionId, purpose(c), token);
}

/** Readable 403 for a form whose CSRF token is missing or wrong. `preserved` is the person's text, shown back. */
export function refuseCsrf(c: Context<WikiEnv>, preserved?: string): Response {
  return errorResponse(
    c,
    403,
    "csrf_failed",
    "This form was not accepted",
    "Its security token is missing or out of date (for example after signing out and in again, or when the form " +
      "came from another site). Nothing was saved. Go back, reload the page and try again.",
    <Preserved text={preserved} />,
  );
}
