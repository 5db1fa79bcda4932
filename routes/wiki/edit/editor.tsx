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
import { ConflictError, InvalidInputError, NotFoundError } from "../../../lib/errors.ts";
import { renderMarkdown } from "../../../lib/web/markdown.ts";
import { unifiedDiff } from "../../../lib/wiki/diff.ts";
import { canonicalPath } from "../../../lib/wiki/paths.ts";
import type { Page } from "../../../lib/wiki/types.ts";
import { linkTargets } from "../../../lib/wiki/wikilinks.ts";
import type { WikiEnv } from "../../env.ts";
import { shortRev } from "../../components/format.ts";
import { pathAfter, type WikiContext, wikiContext } from "../../components/wiki_context.ts";
import { linkResolver } from "../page.tsx";
import { CSRF_FIELD, csrfValid, formToken, refuseCsrf, requireWriter } from "./guard.tsx";
import { attempt, MAX_MESSAGE_CHARS, normalizeNewlines, readForm, statusOf } from "./forms.tsx";
import { editorPage, type EditorState } from "./editor_page.tsx";

/** Message when the new-page form has no path. */
export const EMPTY_PATH_MESSAGE = 'Give the page a path, such as "Meeting notes" or "Projects/Plan".';

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
