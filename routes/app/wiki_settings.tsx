/**
 * @module
 * A wiki's settings page (`GET /app/wikis/{slug}`): how to connect agents (Claude.ai connector, Claude Code with a
 * token shown once), tokens, connected apps, visibility, collaborators, usage and deletion. Admins see and change
 * everything; editors and viewers see how to connect and the usage, read-only. The POST handlers in
 * wiki_actions.ts re-render this page with an inline error when input is bad.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { formatBytes, formatTime } from "../components/format.ts";
import { accessWiki, type WikiAccess } from "../../lib/platform/access.ts";
import { VISIBILITY_CHOICES, wikiSettings } from "../../lib/platform/dashboard.ts";
import { ROLE_DESCRIPTIONS } from "../../lib/platform/collaborators.ts";
import { MAX_LABEL_LENGTH } from "../../lib/auth/tokens.ts";
import { takeFlash } from "../../lib/platform/flash.ts";
import type { Role } from "../../lib/wiki/types.ts";
import { currentSession, currentUser, formToken, settingsPath } from "./context.ts";
import { can } from "../../lib/auth/access.ts";
import { AppPage, FormError, Notice, PostForm } from "./ui.tsx";
import { AppAccess, Connect, Meter, RoleSelect, Section } from "./settings_parts.tsx";
import { undoPath } from "./undo.tsx";
import { ConnectGuide } from "./connect_guide.tsx";
import { ArchiveSection } from "./archive_parts.tsx";

/** Sections of the settings page that have forms (an error is shown in its section). */
export type SettingsSection = "tokens" | "apps" | "visibility" | "collaborators" | "import" | "delete";

/** A new token, carried to the page once through a flash (lib/platform/flash.ts). */
export interface NewTokenFlash {
  kind: "new-token";
  token: string;
  label: string;
  readOnly: boolean;
}

/** What a failed POST hands back to the page: where the error goes, its message, and what was typed. */
export interface SettingsError {
  section: SettingsSection;
  message: string;
  values?: Record<string, string>;
}

/** GET /app/wikis/:slug */
export async function settingsRoute(c: Context<PlatformEnv>): Promise<Response> {
  const pd = c.get("deps").platform;
  const access = await accessWiki(pd.wikis, c.req.param("slug") ?? "", currentUser(c).did);
  const flashId = c.req.query("flash");
  const flash = flashId ? await takeFlash<NewTokenFlash>(pd.kv, currentSession(c).id, flashId) : null;
  return await renderSettings(c, access, { notice: c.req.query("notice") ?? null, flash });
}

/** Renders the settings page for `access`, with an optional notice, new token or inline error. */
export async function renderSettings(
  c: Context<PlatformEnv>,
  access: WikiAccess,
  opts: { notice?: string | null; flash?: NewTokenFlash | null; error?: SettingsError | null },
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls } = c.get("deps");
  const data = await wikiSettings(c.get("deps").platform, access);
  const token = await formToken(c);
  const err = opts.error ?? null;
  const errorIn = (s: SettingsSection) => (err?.section === s ? err.message : null);
  const values = err?.values ?? {};
  const base = settingsPath(data.wiki.slug);
  return htmlPage(
    c,
    <AppPage title={`${data.wiki.title} settings`} urls={urls} current="wikis">
      <p class="breadcrumbs">
        <a href={urls.platform("/app/")}>Your wikis</a>
        <span class="sep">/</span>
        {data.wiki.slug}
      </p>
      <h1>{data.wiki.title}</h1>
      <p class="wiki-head">
        <a class="button" href={data.wikiUrl}>Open wiki</a>
        <span class="muted">
          {data.isOwner ? "You own this wiki." : `Your role: ${data.role} (${ROLE_DESCRIPTIONS[data.role]}).`}
        </span>
      </p>
      <Notice code={opts.notice} />

      <Connect data={data} flash={opts.flash ?? null} />
      <ConnectGuide slug={data.wiki.slug} mcpUrl={data.mcpUrl} token={token} nonce={c.get("nonce")} />

      {data.tokens
        ? (
          <Section id="tokens" title="Tokens">
            <p>
              A token lets a program such as Claude Code use this wiki's MCP endpoint without signing in. Anyone with
              the token can read (and, unless it is read-only, write) the wiki: keep it secret, give each program its
              own, and revoke one you no longer use.
            </p>
            <FormError message={errorIn("tokens")} />
            {data.tokens.length > 0
              ? (
                <ul class="rows">
                  {data.tokens.map((t) => (
                    <li class="row">
                      <div class="row-main">
                        <strong>{t.label}</strong>{" "}
                        <span class="badge">{t.scopes.includes("wiki:write") ? "read & write" : "read-only"}</span>
                        <div class="muted">
                          Created {formatTime(t.createdAt)} ·{" "}
                          {t.lastUsedAt ? `last used ${formatTime(t.lastUsedAt)}` : "never used"}
                        </div>
                      </div>
                      <a class="button btn-quiet" href={undoPath(data.wiki.slug, "token", t.id)}>Undo its changes…</a>
                      <PostForm action={`${base}/tokens/${encodeURIComponent(t.id)}/revoke`} token={token} inline>
                        <button type="submit" class="btn-danger">Revoke</button>
                      </PostForm>
                    </li>
                  ))}
                </ul>
              )
              : <p class="muted">No tokens yet.</p>}
            <PostForm action={`${base}/tokens`} token={token} class="panel">
              <h3>New token</h3>
              <label for="token-label">Label</label>
              <input
                type="text"
                id="token-label"
                name="label"
                required
                maxLength={MAX_LABEL_LENGTH}
                placeholder="e.g. laptop, Claude Code"
                value={values.label ?? ""}
              />
              <label class="check">
                <input type="checkbox" name="read_only" value="1" checked={values.read_only === "1"} />{" "}
                Read-only (agents can read but not change pages)
              </label>
              <p>
                <button type="submit">Create token</button>
              </p>
            </PostForm>
          </Section>
        )
        : null}

      {data.apps
        ? (
          <Section id="apps" title="Connected apps">
            <p>
              Apps such as Claude.ai that someone connected to this wiki by signing in. Disconnecting one stops it at
              once; it has to ask again to reconnect.
            </p>
            <FormError message={errorIn("apps")} />
            {data.apps.length > 0
              ? (
                <ul class="rows">
                  {data.apps.map((a) => (
                    <li class="row">
                      <div class="row-main">
                        <strong>{a.clientName}</strong> <span class="muted">({a.redirectHost})</span>{" "}
                        <AppAccess app={a} />
                        <div class="muted">
                          Connected by {a.grantedBy ? `@${a.grantedBy}` : a.did} on {formatTime(a.grantedAt)} ·{" "}
                          {a.lastUsedAt ? `last used ${formatTime(a.lastUsedAt)}` : "not used yet"}
                        </div>
                      </div>
                      <a class="button btn-quiet" href={undoPath(data.wiki.slug, "app", a.grantId)}>
                        Undo its changes…
                      </a>
                      <PostForm action={`${base}/apps/${encodeURIComponent(a.grantId)}/revoke`} token={token} inline>
                        <button type="submit" class="btn-danger">Disconnect</button>
                      </PostForm>
                    </li>
                  ))}
                </ul>
              )
              : <p class="muted">No apps are connected.</p>}
          </Section>
        )
        : null}

      {data.collaborators
        ? (
          <>
            <Section id="visibility" title="Visibility">
              <p>Who can read this wiki in a browser. Only collaborators can change pages.</p>
              <FormError message={errorIn("visibility")} />
              <PostForm action={`${base}/visibility`} token={token}>
                <fieldset class="choices">
                  <legend class="sr-only">Visibility</legend>
                  {VISIBILITY_CHOICES.map((v) => (
                    <label class="choice">
                      <input
                        type="radio"
                        name="visibility"
                        value={v.value}
                        checked={(values.visibility ?? data.wiki.visibility) === v.value}
                      />{" "}
                      <strong>{v.label}</strong> <span class="muted">{v.help}</span>
                    </label>
                  ))}
                </fieldset>
                <p>
                  <button type="submit">Save visibility</button>
                </p>
              </PostForm>
            </Section>

            <Section id="collaborators" title="Collaborators">
              <p>
                People who can use this wiki, by their Bluesky or ATProto handle. Admins{" "}
                {ROLE_DESCRIPTIONS.admin}; editors {ROLE_DESCRIPTIONS.editor}; viewers {ROLE_DESCRIPTIONS.viewer}.
              </p>
              <FormError message={errorIn("collaborators")} />
              <ul class="rows">
                {data.collaborators.map((m) => (
                  <li class="row">
                    <div class="row-main">
                      <strong>{m.handle ? `@${m.handle}` : m.did}</strong>
                      {m.handle ? <div class="muted did">{m.did}</div> : null}
                    </div>
                    {m.isOwner ? <span class="badge badge-admin">owner</span> : (
                      <div class="row-actions">
                        <PostForm action={`${base}/members/role`} token={token} inline>
                          <input type="hidden" name="did" value={m.did} />
                          <RoleSelect name="role" value={m.role} label={`Role of ${m.handle ?? m.did}`} />
                          <button type="submit" class="btn-quiet">Change</button>
                        </PostForm>
                        <PostForm action={`${base}/members/remove`} token={token} inline>
                          <input type="hidden" name="did" value={m.did} />
                          <button type="submit" class="btn-danger">Remove</button>
                        </PostForm>
                      </div>
                    )}
                  </li>
                ))}
              </ul>
              <PostForm action={`${base}/members`} token={token} class="panel">
                <h3>Add a collaborator</h3>
                <label for="member-handle">Handle</label>
                <input
                  type="text"
                  id="member-handle"
                  name="handle"
                  required
                  autocomplete="off"
                  autocapitalize="none"
                  spellcheck={false}
                  placeholder="alice.bsky.social"
                  value={values.handle ?? ""}
                />
                <label for="member-role">Role</label>
                <RoleSelect id="member-role" name="role" value={(values.role as Role) || "editor"} />
                <p>
                  <button type="submit">Add</button>
                </p>
              </PostForm>
            </Section>
          </>
        )
        : (
          <Section id="settings" title="Settings">
            <p class="muted">
              Only admins can create tokens, share the wiki or change its visibility. Ask the owner if you need any of
              these.
            </p>
          </Section>
        )}

      <Section id="usage" title="Usage">
        <Meter
          label="Pages"
          used={data.usage.pages}
          max={data.usage.quotaPages}
          text={`${data.usage.pages} of ${data.usage.quotaPages} pages`}
        />
        <Meter
          label="Storage"
          used={data.usage.bytes}
          max={data.usage.quotaBytes}
          text={`${formatBytes(data.usage.bytes)} of ${formatBytes(data.usage.quotaBytes)}`}
        />
      </Section>

      <ArchiveSection base={base} token={token} canImport={can(data, "administer")} error={errorIn("import")} />

      {can(data, "own")
        ? (
          <Section id="delete" title="Delete this wiki" danger>
            <p>
              Deleting removes every page, attachment and revision. Its tokens and connected apps stop working at once.
              The name <strong>{data.wiki.slug}</strong>{" "}
              stays reserved for 30 days, then anyone may take it. This cannot be undone.
            </p>
            <FormError message={errorIn("delete")} />
            <PostForm action={`${base}/delete`} token={token}>
              <label for="confirm-slug">
                Type <strong>{data.wiki.slug}</strong> to confirm
              </label>
              <input
                type="text"
                id="confirm-slug"
                name="confirm"
                required
                autocomplete="off"
                autocapitalize="none"
                spellcheck={false}
                value={values.confirm ?? ""}
              />
              <p>
                <button type="submit" class="btn-danger">Delete this wiki</button>
              </p>
            </PostForm>
          </Section>
        )
        : null}
    </AppPage>,
    status,
  );
}
