/**
 * @module
 * Creating and editing pages in the browser: `/-/new` (path + Markdown) and `/-/edit/{path}`.
 *
 * The edit form carries the page's revision when the form was opened (optimistic locking). When someone else saved
 * in between, the editor comes back (409) with the person's text untouched, a diff from the current version to
 * their text and the current text; the form then carries the current revision, so saving again knowingly replaces
 * it. Every other refusal (empty or invalid path, too large, quota) re-shows the form with a readable error and
 * the text as typed. "Preview" renders the Markdown server-side (no JavaScript needed) without saving. When built,
 * static/js/editor.js (islands/editor.ts) adds a leave-page warning for unsaved text and Ctrl+S.
 * Successful saves answer 303 to the page (Post/Redirect/Get).
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ComponentChildren } from "preact";
import { ConflictError, InvalidInputError, NotFoundError } from "../../../lib/errors.ts";
import { renderMarkdown } from "../../../lib/web/markdown.ts";
import { unifiedDiff } from "../../../lib/wiki/diff.ts";
import { canonicalPath } from "../../../lib/wiki/paths.ts";
import type { Page } from "../../../lib/wiki/types.ts";
import { linkTargets } from "../../../lib/wiki/wikilinks.ts";
import type { WikiEnv } from "../../env.ts";
import { formatTime, isoTime, shortRev } from "../../components/format.ts";
import { htmlPage } from "../../components/html.ts";
import { Layout } from "../../components/Layout.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../../components/wiki_context.ts";
import { DiffTable } from "../diff.tsx";
import { editorScriptUrl } from "./island.ts";
import { linkResolver } from "../page.tsx";
import { CSRF_FIELD, csrfValid, formToken, refuseCsrf, requireWriter } from "./guard.tsx";
import {
  attempt,
  CsrfField,
  FormError,
  MAX_MESSAGE_CHARS,
  normalizeNewlines,
  readForm,
  statusOf,
  TextArea,
} from "./forms.tsx";

/** Message when the new-page form has no path. */
export const EMPTY_PATH_MESSAGE = 'Give the page a path, such as "Meeting notes" or "Projects/Plan".';

/** Everything the editor form shows. */
interface EditorState {
  mode: "new" | "edit";
  /** The path as typed (new) or the canonical path (edit). */
  path: string;
  content: string;
  message: string;
  /** Base revision carried by the form ("" when creating). */
  revision: string;
  token: string;
  error?: string | null;
  /** An informational notice above the form. */
  notice?: ComponentChildren;
  /** Rendered preview HTML. */
  preview?: string | null;
  conflict?: Conflict | null;
}

/** What the conflict view shows: the page as it is now (null when deleted or gone) and the diff to the person's text. */
interface Conflict {
  current: Page | null;
  unified: string;
  added: number;
  removed: number;
}

/** GET `/-/new[?path=]`: an empty editor with a path field. */
export async function newPageForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = (c.req.query("path") ?? "").trim();
  return editorPage(c, ctx, {
    mode: "new",
    path,
    content: "",
    message: "",
    revision: "",
    token: await formToken(c, writer),
  });
}

/** POST `/-/new`: creates the page, or shows the form again with the reason and everything typed. */
export async function newPageSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const form = await readForm(c);
  const content = normalizeNewlines(form.text("content"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "new"), content);
  if (writer instanceof Response) return writer;
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c, content);
  const state: EditorState = {
    mode: "new",
    path: form.text("path"),
    content,
    message: form.text("message"),
    revision: "",
    token: await formToken(c, writer),
  };
  if (form.text("action") === "preview") return editorPage(c, ctx, { ...state, preview: await preview(ctx, content) });
  const checked = checkMessage(state.message);
  if (checked) return editorPage(c, ctx, { ...state, error: checked.message }, checked.status);
  const parsed = await attempt(() => Promise.resolve(parseNewPath(state.path)));
  if (parsed.error) return editorPage(c, ctx, { ...state, error: parsed.error.message }, statusOf(parsed.error));
  const path = parsed.ok;
  const existsError = () =>
    editorPage(c, ctx, {
      ...state,
      error: null,
      notice: (
        <p class="notice notice-error" role="alert">
          A page called “{path}” already exists. Choose another path, or{" "}
          <a href={ctx.urls.system(ctx.slug, "edit", path)}>edit that page</a>{" "}
          (your text here is kept until you leave this page).
        </p>
      ),
    }, 409);
  if (await ctx.pages.meta(path)) return existsError();
  const saved = await attempt(() => ctx.pages.write(path, content, { message: state.message }, writer.actor));
  if (saved.error instanceof ConflictError) return existsError();
  if (saved.error) return editorPage(c, ctx, { ...state, error: saved.error.message }, statusOf(saved.error));
  return c.redirect(ctx.urls.page(ctx.slug, path), 303);
}

/** GET `/-/edit/{path}`: the editor with the current text (or empty for a missing page, last text for a deleted one). */
export async function editForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/edit/"));
  const page = await readOrNull(ctx, path);
  const notice = page === null
    ? <p class="notice">There is no page called “{path}” yet. Saving creates it.</p>
    : page.deleted
    ? (
      <p class="notice notice-deleted">
        This page was deleted. Its last text is below; saving brings the page back with your text. To bring back an
        older version instead, use its <a href={ctx.urls.system(ctx.slug, "history", path)}>history</a>.
      </p>
    )
    : null;
  return editorPage(c, ctx, {
    mode: "edit",
    path,
    content: page?.content ?? "",
    message: "",
    revision: page && !page.deleted ? page.revision : "",
    token: await formToken(c, writer),
    notice,
  });
}

/** POST `/-/edit/{path}`: saves against the base revision; a conflict shows both versions and keeps the text. */
export async function editSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/edit/"));
  const form = await readForm(c);
  const content = normalizeNewlines(form.text("content"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "edit", path), content);
  if (writer instanceof Response) return writer;
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c, content);
  const state: EditorState = {
    mode: "edit",
    path,
    content,
    message: form.text("message"),
    revision: form.text("revision").trim(),
    token: await formToken(c, writer),
  };
  if (form.text("action") === "preview") return editorPage(c, ctx, { ...state, preview: await preview(ctx, content) });
  const checked = checkMessage(state.message);
  if (checked) return editorPage(c, ctx, { ...state, error: checked.message }, checked.status);
  const saved = await attempt(() =>
    ctx.pages.write(path, content, { revision: state.revision, message: state.message }, writer.actor)
  );
  if (saved.error instanceof ConflictError) return await conflictPage(c, ctx, state);
  if (saved.error) return editorPage(c, ctx, { ...state, error: saved.error.message }, statusOf(saved.error));
  return c.redirect(ctx.urls.page(ctx.slug, path), 303);
}

/** The 409 conflict view: the person's text in the editor (now based on the current revision) plus the diff. */
async function conflictPage(c: Context<WikiEnv>, ctx: WikiContext, state: EditorState): Promise<Response> {
  const page = await readOrNull(ctx, state.path);
  const current = page && !page.deleted ? page : null;
  const diff = unifiedDiff(current?.content ?? "", state.content, {
    from: current ? `current ${shortRev(current.revision)}` : "deleted",
    to: "your text",
  });
  return editorPage(c, ctx, {
    ...state,
    revision: current?.revision ?? "",
    conflict: { current, ...diff },
  }, 409);
}

/** The canonical path typed into the new-page form; InvalidInputError when empty or invalid. */
function parseNewPath(input: string): string {
  const trimmed = input.trim().replace(/^\/+/, "");
  if (trimmed === "") throw new InvalidInputError(EMPTY_PATH_MESSAGE);
  return canonicalPath(trimmed);
}

/** A readable refusal of an over-long change summary, or null when it is fine. */
function checkMessage(message: string): { message: string; status: ContentfulStatusCode } | null {
  if (message.length <= MAX_MESSAGE_CHARS) return null;
  return {
    message: `The summary of the change is ${message.length} characters long; keep it under ${MAX_MESSAGE_CHARS}.`,
    status: 422,
  };
}

/** The page including a deleted state, or null when it never existed. */
async function readOrNull(ctx: WikiContext, path: string): Promise<Page | null> {
  try {
    return await ctx.pages.read(path, { includeDeleted: true });
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** The content rendered as the page view would render it. */
async function preview(ctx: WikiContext, content: string): Promise<string> {
  return renderMarkdown(content, { linkFor: await linkResolver(ctx, linkTargets(content)) });
}

/** The editor page. */
function editorPage(
  c: Context<WikiEnv>,
  ctx: WikiContext,
  state: EditorState,
  status: ContentfulStatusCode = 200,
): Response {
  const { urls, slug } = ctx;
  const isNew = state.mode === "new";
  const title = state.conflict
    ? `Edit conflict: ${state.path}`
    : isNew
    ? "New page"
    : state.revision === ""
    ? `Creating ${state.path}`
    : `Editing ${state.path}`;
  const action = isNew ? urls.system(slug, "new") : urls.system(slug, "edit", state.path);
  const script = editorScriptUrl(urls, slug);
  // A form shown again (conflict, refusal, preview) holds text that is not saved yet.
  const unsaved = Boolean(state.conflict || state.error || state.notice && status !== 200 || state.preview);
  const cancel = isNew ? urls.wiki(slug, "/") : urls.page(slug, state.path);
  return htmlPage(
    c,
    <Layout title={title} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          {isNew ? "New page" : (
            <>
              {state.conflict ? "Edit conflict: " : state.revision === "" ? "Creating " : "Editing "}
              <a href={urls.page(slug, state.path)}>{state.path}</a>
            </>
          )}
        </h1>
        <FormError message={state.error} />
        {state.conflict ? <ConflictNotice ctx={ctx} path={state.path} conflict={state.conflict} /> : state.notice}
        {state.conflict ? <ConflictDiff conflict={state.conflict} /> : null}
        <form
          class="editor-form"
          method="post"
          action={action}
          data-editor=""
          data-unsaved={unsaved ? "true" : undefined}
        >
          <CsrfField token={state.token} />
          <input type="hidden" name="revision" value={state.revision} />
          {isNew
            ? (
              <div class="field">
                <label for="edit-path">Page path</label>
                <input
                  type="text"
                  id="edit-path"
                  name="path"
                  value={state.path}
                  required
                  autocomplete="off"
                  placeholder="Projects/Plan"
                  aria-describedby="edit-path-hint"
                />
                <p class="hint" id="edit-path-hint">
                  Use “/” for subpages, e.g. <code>Projects/Plan</code>. Not allowed: <code>[ ] | # &lt; &gt; \</code>
                </p>
              </div>
            )
            : null}
          <div class="field">
            <label for="edit-content">{state.conflict ? "Your text" : "Content"}</label>
            <TextArea
              id="edit-content"
              name="content"
              class="editor-text"
              rows={state.conflict ? 14 : 22}
              aria-describedby="edit-content-hint"
              text={state.content}
            />
            <p class="hint" id="edit-content-hint">
              Markdown. Link pages with <code>[[Page]]</code> or <code>[[Page|text]]</code>.
            </p>
          </div>
          <div class="field">
            <label for="edit-message">
              Summary of the change <span class="muted">(optional)</span>
            </label>
            <input
              type="text"
              id="edit-message"
              name="message"
              value={state.message}
              maxlength={MAX_MESSAGE_CHARS}
              placeholder={isNew ? "Create: …" : `Update: ${state.path}`}
            />
          </div>
          <div class="form-actions">
            <button type="submit" name="action" value="save">
              {state.conflict ? "Save my version" : isNew || state.revision === "" ? "Create page" : "Save"}
            </button>
            <button type="submit" name="action" value="preview" class="button-secondary">Preview</button>
            <a href={cancel}>Cancel</a>
          </div>
        </form>
        {state.preview !== undefined && state.preview !== null
          ? (
            <section class="preview" aria-label="Preview">
              <h2 class="preview-title">Preview (not saved yet)</h2>
              <div class="content" dangerouslySetInnerHTML={{ __html: state.preview }} />
            </section>
          )
          : null}
        {state.conflict?.current ? <CurrentText page={state.conflict.current} /> : null}
        {script ? <script src={script} defer /> : null}
      </div>
    </Layout>,
    status,
  );
}

/** What happened and what to do, above the conflict's diff. */
function ConflictNotice({ ctx, path, conflict }: { ctx: WikiContext; path: string; conflict: Conflict }) {
  const cur = conflict.current;
  if (cur === null) {
    return (
      <div class="notice notice-error conflict-notice" role="alert">
        <p>
          <strong>This page was deleted while you were editing it.</strong> Nothing was saved; your text is below.
        </p>
        <p>
          Saving now creates the page again with your text. Its earlier versions are in the{" "}
          <a href={ctx.urls.system(ctx.slug, "history", path)}>history</a>.
        </p>
      </div>
    );
  }
  const r = cur.lastRevision;
  return (
    <div class="notice notice-error conflict-notice" role="alert">
      <p>
        <strong>Someone else changed this page while you were editing it.</strong>{" "}
        Nothing was saved; your text is in the editor below, unchanged.
      </p>
      <p>
        The current version is <code>{shortRev(cur.revision)}</code>, saved by {r.authorName}{" "}
        <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time>. Compare it with your text, merge what you need,
        then save: saving replaces the current version with the text in the editor.
      </p>
    </div>
  );
}

/** The diff from the current version to the person's text. */
function ConflictDiff({ conflict }: { conflict: Conflict }) {
  return (
    <section class="conflict-diff" aria-label="Differences">
      <h2>
        Differences <span class="muted">current version → your text</span>
      </h2>
      <p class="diff-summary muted">
        <span class="removed">−{conflict.removed}</span> only in the current version ·{" "}
        <span class="added">+{conflict.added}</span> only in your text
      </p>
      <DiffTable diff={conflict} />
    </section>
  );
}

/** The current version's full text, read-only, for copying parts of it. */
function CurrentText({ page }: { page: Page }) {
  return (
    <details class="current-text">
      <summary>
        Current version's full text (<code>{shortRev(page.revision)}</code>)
      </summary>
      <TextArea class="editor-text" readonly rows={14} aria-label="Current version" text={page.content} />
    </details>
  );
}
