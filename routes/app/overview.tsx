/**
 * @module
 * The dashboard's home (`GET /app/`): the person's wikis and those shared with them, each with its address and
 * MCP URL, and a form to create a wiki while under the per-person limit (`POST /app/wikis`). A person with no wiki
 * at all is sent to signup to choose their first one.
 */
import type { Context } from "hono";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { WikiError } from "../../lib/errors.ts";
import { type Overview, overview, VISIBILITY_CHOICES } from "../../lib/platform/dashboard.ts";
import { createWikiForUser, limitMessage, MAX_TITLE_LENGTH } from "../../lib/platform/wiki_lifecycle.ts";
import { defaultSlugFromHandle } from "../../lib/platform/slugs.ts";
import type { DashboardUser } from "../../lib/platform/deps.ts";
import type { Urls } from "../../lib/urls.ts";
import { can } from "../../lib/auth/access.ts";
import { currentUser, formToken, readForm, redirectWithNotice, settingsPath, SIGNUP_PATH } from "./context.ts";
import { AppPage, CopyButtons, CopyValue, FormError, Notice, PostForm } from "./ui.tsx";

/** What the create form shows after a failed attempt. */
interface CreateState {
  slug: string;
  title: string;
  error: string | null;
}

/** GET /app/ */
export async function overviewRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { urls } = c.get("deps");
  const user = currentUser(c);
  const data = await overview(c.get("deps").platform, user.did);
  const notice = c.req.query("notice") ?? null;
  if (data.wikis.length === 0 && notice === null) return c.redirect(urls.platform(SIGNUP_PATH), 303);
  return await render(c, user, data, notice, null);
}

/** POST /app/wikis: creates a wiki, then shows its settings; on a bad name re-shows the form with the message. */
export async function createWikiRoute(c: Context<PlatformEnv>): Promise<Response> {
  const pd = c.get("deps").platform;
  const user = currentUser(c);
  const form = await readForm(c);
  try {
    const wiki = await createWikiForUser(pd, user, { slug: form.slug ?? "", title: form.title ?? "" });
    return redirectWithNotice(c, settingsPath(wiki.slug), "wiki-created");
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    const data = await overview(pd, user.did);
    const state = { slug: form.slug ?? "", title: form.title ?? "", error: err.message };
    return await render(c, user, data, null, state, err.status as 403 | 409 | 422);
  }
}

async function render(
  c: Context<PlatformEnv>,
  user: DashboardUser,
  data: Overview,
  notice: string | null,
  create: CreateState | null,
  status: 200 | 403 | 409 | 422 = 200,
): Promise<Response> {
  const { urls } = c.get("deps");
  const token = await formToken(c);
  const owned = data.wikis.filter((w) => w.isOwner);
  const shared = data.wikis.filter((w) => !w.isOwner);
  return htmlPage(
    c,
    <AppPage title="Your wikis" urls={urls} current="wikis">
      <h1>Your wikis</h1>
      <CopyButtons nonce={c.get("nonce")} />
      <Notice code={notice} />
      {owned.length > 0 ? <WikiList urls={urls} wikis={owned} /> : <p>You don't own a wiki yet.</p>}
      {shared.length > 0
        ? (
          <section aria-labelledby="shared">
            <h2 id="shared">Shared with you</h2>
            <WikiList urls={urls} wikis={shared} />
          </section>
        )
        : null}
      {data.canCreate || create
        ? <CreateForm token={token} user={user} state={create} canCreate={data.canCreate} />
        : <p class="muted">{limitMessage(data.owned, data.limit)}</p>}
    </AppPage>,
    status,
  );
}

function WikiList({ urls, wikis }: { urls: Urls; wikis: Overview["wikis"] }) {
  return (
    <ul class="wiki-cards">
      {wikis.map((w) => (
        <li class="wiki-card">
          <div class="wiki-card-head">
            <a class="wiki-card-title" href={urls.platform(settingsPath(w.slug))}>{w.title}</a>
            <span class={`badge badge-${w.role}`}>{w.isOwner ? "owner" : w.role}</span>
            <span class="badge">{VISIBILITY_CHOICES.find((v) => v.value === w.visibility)?.label}</span>
          </div>
          <dl class="kv">
            <dt>Wiki</dt>
            <dd>
              <a href={w.wikiUrl}>{w.wikiUrl}</a>
            </dd>
            <dt>MCP URL</dt>
            <dd>
              <CopyValue value={w.mcpUrl} label={`MCP URL of ${w.slug}`} />
            </dd>
          </dl>
          <p class="wiki-card-actions">
            <a href={urls.platform(settingsPath(w.slug))}>
              {can(w, "administer") ? "Settings, tokens and sharing" : "Connect an agent"}
            </a>
          </p>
        </li>
      ))}
    </ul>
  );
}

function CreateForm(
  { token, user, state, canCreate }: {
    token: string;
    user: DashboardUser;
    state: CreateState | null;
    canCreate: boolean;
  },
) {
  return (
    <section aria-labelledby="create" class="panel">
      <h2 id="create">Create a wiki</h2>
      <FormError message={state?.error} />
      {canCreate
        ? (
          <PostForm action="/app/wikis" token={token}>
            <label for="slug">Name (its address)</label>
            <input
              type="text"
              id="slug"
              name="slug"
              required
              minLength={3}
              maxLength={30}
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              value={state?.slug ?? defaultSlugFromHandle(user.handle)}
              aria-describedby="slug-help"
            />
            <p class="help" id="slug-help">3 to 30 lowercase letters, digits and hyphens.</p>
            <label for="title">Title (optional)</label>
            <input type="text" id="title" name="title" maxLength={MAX_TITLE_LENGTH} value={state?.title ?? ""} />
            <p>
              <button type="submit">Create wiki</button>
            </p>
          </PostForm>
        )
        : null}
    </section>
  );
}
