/**
 * @module
 * The settings page's POST handlers: parse the form, call lib/platform, then redirect to the page with a notice
 * (Post/Redirect/Get), or re-render it with an inline error and what was typed. The guard (context.ts) has already
 * checked the session and the CSRF token; here every action needs the admin role (delete: the owner). A non-member
 * gets 404, a non-admin a readable 403.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import { WikiError } from "../../lib/errors.ts";
import type { Visibility } from "../../lib/wiki/types.ts";
import {
  accessWiki,
  checkConfirmation,
  requireAdmin,
  requireOwner,
  type WikiAccess,
} from "../../lib/platform/access.ts";
import { addCollaborator, changeRole, parseRole, removeCollaborator } from "../../lib/platform/collaborators.ts";
import { deleteWikiEverywhere, finishWikiDeletion } from "../../lib/platform/wiki_lifecycle.ts";
import { putFlash } from "../../lib/platform/flash.ts";
import type { PlatformDeps } from "../../lib/platform/deps.ts";
import { VISIBILITY_CHOICES } from "../../lib/platform/dashboard.ts";
import { InvalidInputError, NotFoundError } from "../../lib/errors.ts";
import { roleCan } from "../../lib/auth/access.ts";
import { currentSession, currentUser, readForm, redirectWithNotice, settingsPath } from "./context.ts";
import { type NewTokenFlash, renderSettings, type SettingsSection } from "./wiki_settings.tsx";

/** What an action sees: the app's domain deps, the person's access, the form. */
interface ActionInput {
  pd: PlatformDeps;
  access: WikiAccess;
  form: Record<string, string>;
  did: string;
  c: Context<PlatformEnv>;
}

/**
 * Wraps an admin action: loads access (404 for non-members), requires admin (403), runs `run`, and on a WikiError
 * re-renders the page with the message in `section` and the typed values (except secrets and the CSRF token).
 */
function adminAction(
  section: SettingsSection,
  run: (input: ActionInput) => Promise<Response>,
  opts: { ownerOnly?: boolean } = {},
) {
  return async (c: Context<PlatformEnv>): Promise<Response> => {
    const pd = c.get("deps").platform;
    const did = currentUser(c).did;
    const access = await accessWiki(pd.wikis, c.req.param("slug") ?? "", did);
    if (opts.ownerOnly) requireOwner(access);
    else requireAdmin(access);
    const form = await readForm(c);
    try {
      return await run({ pd, access, form, did, c });
    } catch (err) {
      if (!(err instanceof WikiError) || err.code === "forbidden") throw err;
      const { csrf: _csrf, ...values } = form;
      return await renderSettings(
        c,
        access,
        { error: { section, message: err.message, values } },
        err.status as ContentfulStatusCode,
      );
    }
  };
}

/** POST /app/wikis/:slug/tokens: creates a token and shows it once (flash, then redirect). */
export const createTokenRoute = adminAction("tokens", async ({ pd, access, form, c }) => {
  const readOnly = form.read_only === "1";
  const { token, record } = await pd.tokens.create(access.wiki, { label: form.label ?? "", readOnly });
  const flash: NewTokenFlash = { kind: "new-token", token, label: record.label, readOnly };
  const id = await putFlash(pd.kv, currentSession(c).id, flash);
  return c.redirect(`${settingsPath(access.wiki.slug)}?flash=${id}#connect`, 303);
});

/** POST /app/wikis/:slug/tokens/:id/revoke */
export const revokeTokenRoute = adminAction("tokens", async ({ pd, access, c }) => {
  await pd.tokens.revoke(access.wiki.id, c.req.param("id") ?? "");
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "token-revoked", "tokens");
});

/** POST /app/wikis/:slug/apps/:grant/revoke */
export const revokeAppRoute = adminAction("apps", async ({ pd, access, c }) => {
  const grantId = c.req.param("grant") ?? "";
  const known = (await pd.oauth.listGrants(access.wiki.id)).some((g) => g.grantId === grantId);
  if (!known || !(await pd.oauth.revokeGrant(access.wiki.id, grantId))) {
    throw new InvalidInputError("That app is not connected to this wiki (any more). Reload the page.");
  }
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "app-revoked", "apps");
});

/** POST /app/wikis/:slug/visibility */
export const visibilityRoute = adminAction("visibility", async ({ pd, access, form, c }) => {
  const v = form.visibility ?? "";
  if (!VISIBILITY_CHOICES.some((x) => x.value === v)) {
    throw new InvalidInputError("Choose who can read the wiki: Private, Logged in or Public.");
  }
  await pd.wikis.setVisibility(access.wiki.id, v as Visibility);
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "visibility-saved", "visibility");
});

/** POST /app/wikis/:slug/members: adds a collaborator by handle. */
export const addMemberRoute = adminAction("collaborators", async ({ pd, access, form, did, c }) => {
  const role = parseRole(form.role);
  await addCollaborator(pd, access.wiki, form.handle ?? "", role, did);
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "collaborator-added", "collaborators");
});

/** POST /app/wikis/:slug/members/role */
export const changeRoleRoute = adminAction("collaborators", async ({ pd, access, form, did, c }) => {
  const role = parseRole(form.role);
  await changeRole(pd, access.wiki, form.did ?? "", role, did);
  // An admin who demoted themselves can no longer see the settings.
  if (form.did === did && !roleCan(role, "administer")) return redirectWithNotice(c, "/app/", "role-changed");
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "role-changed", "collaborators");
});

/** POST /app/wikis/:slug/members/remove */
export const removeMemberRoute = adminAction("collaborators", async ({ pd, access, form, did, c }) => {
  await removeCollaborator(pd, access.wiki, form.did ?? "");
  if (form.did === did) return redirectWithNotice(c, "/app/", "collaborator-removed");
  return redirectWithNotice(c, settingsPath(access.wiki.slug), "collaborator-removed", "collaborators");
});

const deleteLiveWiki = adminAction("delete", async ({ pd, access, form, c }) => {
  checkConfirmation(form.confirm ?? "", access.wiki.slug, "the wiki's name");
  await deleteWikiEverywhere(pd, access.wiki);
  return redirectWithNotice(c, "/app/", "wiki-deleted");
}, { ownerOnly: true });

/**
 * POST /app/wikis/:slug/delete: owner only, after typing the slug. Sending it again for a wiki its owner already
 * deleted (e.g. after a 503 part-way) finishes the deletion and answers as the first time would have.
 */
export async function deleteWikiRoute(c: Context<PlatformEnv>): Promise<Response> {
  try {
    return await deleteLiveWiki(c);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const slug = c.req.param("slug") ?? "";
    const form = await readForm(c);
    const confirmed = (form.confirm ?? "").trim().toLowerCase() === slug.toLowerCase();
    const pd = c.get("deps").platform;
    if (!confirmed || !(await finishWikiDeletion(pd, slug, currentUser(c).did))) throw err;
    return redirectWithNotice(c, "/app/", "wiki-deleted");
  }
}
