/**
 * @module
 * "Undo everything this connection changed since {time}" (lib/wiki/undo.ts), for a connected app (an OAuth grant)
 * or a wiki token, from their rows on the settings page. Admins only.
 *
 * | Route                                       | Does                                                    |
 * | ------------------------------------------- | ------------------------------------------------------- |
 * | `GET /app/wikis/:slug/undo/:kind/:id`       | the pages it touched and what will happen to each       |
 * | `POST /app/wikis/:slug/undo/:kind/:id`      | reverts them in one revision (CSRF); shows the result   |
 *
 * `:kind` is `app` (`:id` a grant id) or `token` (`:id` a token id). `?since=YYYY-MM-DDTHH:MM` (UTC) picks the
 * instant; default: when the connection was made. The POST carries the plan's fingerprint, so only what was
 * reviewed is applied (a wiki changed in between shows the new plan with a notice).
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { formatTime } from "../components/format.ts";
import { accessWiki, requireAdmin, type WikiAccess } from "../../lib/platform/access.ts";
import { InvalidInputError, NotFoundError, WikiError } from "../../lib/errors.ts";
import { connectionOf } from "../../lib/wiki/connections.ts";
import { applyUndo, planUndo, type UndoPlan, type UndoResult } from "../../lib/wiki/undo.ts";
import type { StoreDeps } from "../../lib/wiki/store.ts";
import { currentUser, formToken, readForm, settingsPath } from "./context.ts";
import { AppPage, FormError, PostForm } from "./ui.tsx";

/** A connection being undone: its name for the page, and when it was made (the default instant). */
interface Target {
  kind: "app" | "token";
  id: string;
  connection: string;
  label: string;
  madeAt: number;
}

/** The path of the undo page of a connection (`kind` app: a grant id; token: a token id). */
export function undoPath(slug: string, kind: "app" | "token", id: string): string {
  return `${settingsPath(slug)}/undo/${kind}/${encodeURIComponent(id)}`;
}

/** The admin's access and the connection named by the URL; 404 for a malformed one. */
async function load(c: Context<PlatformEnv>): Promise<{ access: WikiAccess; target: Target }> {
  const pd = c.get("deps").platform;
  const access = await accessWiki(pd.wikis, c.req.param("slug") ?? "", currentUser(c).did);
  requireAdmin(access);
  const given = c.req.param("kind");
  const kind = given === "app" || given === "token" ? given : null;
  const id = c.req.param("id") ?? "";
  const connection = kind === null ? null : connectionOf(kind === "app" ? "oauth" : "token", id);
  if (kind === null || connection === null) throw new NotFoundError("There is no such connection on this wiki.");
  let label = kind === "app" ? "a connected app (disconnected since)" : "a token (revoked since)";
  let madeAt = 0;
  if (kind === "app") {
    const app = (await pd.oauth.listGrants(access.wiki.id)).find((g) => g.grantId === id);
    if (app) [label, madeAt] = [`${app.clientName} (${app.redirectHost})`, app.grantedAt];
  } else {
    const token = (await pd.tokens.list(access.wiki.id)).find((t) => t.id === id);
    if (token) [label, madeAt] = [`token “${token.label}”`, token.createdAt];
  }
  return { access, target: { kind, id, connection, label, madeAt } };
}

/** The wiki store's dependencies of this app. */
function storeDeps(c: Context<PlatformEnv>): StoreDeps {
  const deps = c.get("deps");
  return { kv: deps.kv, limits: deps.config.limits };
}

/** Parses `?since=` (`YYYY-MM-DDTHH:MM[:SS]`, UTC, or epoch ms); the connection's start when absent. */
function parseSince(given: string | undefined, fallback: number): number {
  if (given === undefined || given.trim() === "") return fallback;
  const v = given.trim();
  const t = /^\d{1,15}$/.test(v)
    ? Number(v)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)
    ? Date.parse(v + "Z")
    : NaN;
  if (!Number.isFinite(t)) {
    throw new InvalidInputError(`"${v.slice(0, 40)}" is not a time. Give it as 2026-12-05T14:30 (UTC).`);
  }
  return t;
}

/** `YYYY-MM-DDTHH:MM` (UTC) of an instant, for a datetime-local field. */
function localValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** GET /app/wikis/:slug/undo/:kind/:id: what undoing would do. */
export async function undoPlanRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { access, target } = await load(c);
  const since = parseSince(c.req.query("since"), target.madeAt);
  const plan = await planUndo(storeDeps(c), access.wiki, target.connection, since);
  return await renderPlan(c, access, target, plan, null);
}

/** POST /app/wikis/:slug/undo/:kind/:id: reverts the reviewed plan in one revision and shows the result. */
export async function undoApplyRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { access, target } = await load(c);
  const form = await readForm(c);
  const since = parseSince(form.since, target.madeAt);
  const user = currentUser(c);
  try {
    const result = await applyUndo(
      storeDeps(c),
      access.wiki,
      target.connection,
      since,
      { id: user.did, name: user.handle, client: "web" },
      { expect: form.expect || undefined },
    );
    return renderResult(c, access, target, result);
  } catch (err) {
    if (!(err instanceof WikiError) || err.code === "forbidden") throw err;
    const plan = await planUndo(storeDeps(c), access.wiki, target.connection, since);
    return await renderPlan(c, access, target, plan, err.message, err.status as ContentfulStatusCode);
  }
}

/** The confirmation page: the pages, what happens to each, the refused ones, and the button. */
async function renderPlan(
  c: Context<PlatformEnv>,
  access: WikiAccess,
  target: Target,
  plan: UndoPlan,
  error: string | null,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls } = c.get("deps");
  const slug = access.wiki.slug;
  const action = undoPath(slug, target.kind, target.id);
  return htmlPage(
    c,
    <AppPage title={`Undo ${target.label}`} urls={urls} current="wikis">
      <Crumbs c={c} slug={slug} />
      <h1>Undo changes by {target.label}</h1>
      <form method="get" action={action} class="app-inline">
        <label for="undo-since">Everything it changed since</label>
        <input type="datetime-local" id="undo-since" name="since" value={localValue(plan.since)} />
        <span class="muted">UTC</span>
        <button type="submit" class="btn-quiet">Show</button>
      </form>
      <FormError message={error} />
      {plan.revisions === 0 ? <p>It changed nothing on this wiki since {formatTime(plan.since)}.</p> : (
        <p>
          It made {plan.revisions} change{plan.revisions === 1 ? "" : "s"} since {formatTime(plan.since)}.
        </p>
      )}
      {plan.items.length > 0
        ? (
          <>
            <h2>Will be undone</h2>
            <ul class="rows undo-items">
              {plan.items.map((i) => (
                <li class="row">
                  <div class="row-main">
                    <strong>{i.path}</strong> <span class="muted">{i.description}</span>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )
        : null}
      <Refused refused={plan.refused} />
      {plan.notes.length > 0 ? <ul class="muted">{plan.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
      {plan.items.length > 0
        ? (
          <PostForm action={action} token={await formToken(c)}>
            <input type="hidden" name="since" value={String(plan.since)} />
            <input type="hidden" name="expect" value={plan.fingerprint} />
            <p>
              All of it is saved as one new revision; the history keeps every earlier one.{" "}
              <button type="submit" class="btn-danger">
                Undo {plan.items.length} page{plan.items.length === 1 ? "" : "s"}
              </button>
            </p>
          </PostForm>
        )
        : <p class="muted">There is nothing to undo.</p>}
    </AppPage>,
    status,
  );
}

/** The result page after an undo. */
function renderResult(c: Context<PlatformEnv>, access: WikiAccess, target: Target, result: UndoResult): Response {
  const { urls } = c.get("deps");
  return htmlPage(
    c,
    <AppPage title={`Undone: ${target.label}`} urls={urls} current="wikis">
      <Crumbs c={c} slug={access.wiki.slug} />
      <h1>Changes by {target.label} undone</h1>
      <p class="notice notice-ok" role="status">
        {result.reverted.length} page{result.reverted.length === 1 ? " was" : "s were"} reverted in revision{" "}
        <code>{result.revision.slice(0, 8)}</code>.
      </p>
      <ul class="rows undo-items">
        {result.reverted.map((i) => (
          <li class="row">
            <div class="row-main">
              <strong>{i.path === i.to ? i.path : `${i.path} → ${i.to}`}</strong>{" "}
              <span class="muted">
                {i.kind === "delete" ? "deleted" : i.kind === "rename-back" ? "renamed back" : "restored"}
              </span>
            </div>
          </li>
        ))}
      </ul>
      <Refused refused={result.refused} />
      <p>
        <a href={urls.wiki(access.wiki.slug, "/")}>Open the wiki</a> ·{" "}
        <a href={urls.platform(settingsPath(access.wiki.slug))}>Back to settings</a>
      </p>
    </AppPage>,
  );
}

/** The pages left alone, with why. */
function Refused({ refused }: { refused: UndoPlan["refused"] }) {
  if (refused.length === 0) return null;
  return (
    <>
      <h2>Left alone</h2>
      <ul class="rows undo-refused">
        {refused.map((r) => (
          <li class="row">
            <div class="row-main">
              <strong>{r.path}</strong> <span class="muted">{r.reason}</span>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Breadcrumbs back to the wiki's settings. */
function Crumbs({ c, slug }: { c: Context<PlatformEnv>; slug: string }) {
  const { urls } = c.get("deps");
  return (
    <p class="breadcrumbs">
      <a href={urls.platform("/app/")}>Your wikis</a>
      <span class="sep">/</span>
      <a href={urls.platform(settingsPath(slug))}>{slug}</a>
      <span class="sep">/</span>
      undo
    </p>
  );
}
