/**
 * @module
 * Renaming, deleting and restoring pages in the browser: `/-/rename/{path}`, `/-/delete/{path}`,
 * `/-/restore/{path}[?rev=]`. Each GET is a confirmation form; each POST (CSRF-checked) answers 303 to the page
 * on success, or shows the form again with a readable reason and what was typed.
 *
 * - Rename moves the page (with its history and attachments) and rewrites every WikiLink to it in one change.
 * - Delete is locked to the revision shown on the confirmation page; history is kept.
 * - Restore without `rev` undeletes a deleted page; with `rev` it writes that revision's text as a new revision.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ComponentChildren } from "preact";
import { ConflictError, InvalidInputError, NotFoundError } from "../../../lib/errors.ts";
import { canonicalPath } from "../../../lib/wiki/paths.ts";
import type { Page } from "../../../lib/wiki/types.ts";
import type { WikiEnv } from "../../env.ts";
import { formatTime, isoTime, query, shortRev } from "../../components/format.ts";
import { htmlPage } from "../../components/html.ts";
import { Layout } from "../../components/Layout.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../../components/wiki_context.ts";
import { CSRF_FIELD, csrfValid, formToken, refuseCsrf, requireWriter, type Writer } from "./guard.tsx";
import { attempt, CsrfField, FormError, MAX_MESSAGE_CHARS, MessageField, readForm, statusOf } from "./forms.tsx";

// ---- rename ----

/** GET `/-/rename/{path}`. */
export async function renameForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/rename/"));
  await ctx.pages.read(path);
  return await renamePage(c, ctx, writer, { path, to: path, message: "" });
}

/** POST `/-/rename/{path}` with `to`. */
export async function renameSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/rename/"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "rename", path));
  if (writer instanceof Response) return writer;
  const form = await readForm(c);
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c);
  const state = { path, to: form.text("to"), message: form.text("message") };
  const input = state.to.trim().replace(/^\/+/, "");
  if (input === "") {
    return await renamePage(c, ctx, writer, {
      ...state,
      error: 'Give the new path, such as "Archive/Old plan".',
    }, 422);
  }
  if (state.message.length > MAX_MESSAGE_CHARS) {
    return await renamePage(c, ctx, writer, {
      ...state,
      error: `The summary of the change is too long; keep it under ${MAX_MESSAGE_CHARS} characters.`,
    }, 422);
  }
  const done = await attempt(() => ctx.pages.rename(path, input, { message: state.message }, writer.actor));
  if (done.error instanceof NotFoundError) throw done.error;
  if (done.error) {
    return await renamePage(c, ctx, writer, { ...state, error: done.error.message }, statusOf(done.error));
  }
  return c.redirect(ctx.urls.page(ctx.slug, done.ok.to), 303);
}

/** The rename form. */
async function renamePage(
  c: Context<WikiEnv>,
  ctx: WikiContext,
  writer: Writer,
  state: { path: string; to: string; message: string; error?: string },
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls, slug } = ctx;
  const [token, links] = await Promise.all([formToken(c, writer), ctx.pages.links(state.path)]);
  const n = links.linkedFrom.length;
  return htmlPage(
    c,
    <Layout title={`Rename ${state.path}`} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          Rename <a href={urls.page(slug, state.path)}>{state.path}</a>
        </h1>
        <FormError message={state.error} />
        <p>
          The page keeps its history and attachments.{" "}
          {n === 0
            ? "No other page links to it."
            : `Links to it in ${n} other ${n === 1 ? "page are" : "pages are"} updated to the new path.`}
        </p>
        <form class="editor-form" method="post" action={urls.system(slug, "rename", state.path)}>
          <CsrfField token={token} />
          <div class="field">
            <label for="rename-to">New path</label>
            <input type="text" id="rename-to" name="to" value={state.to} required autocomplete="off" />
            <p class="hint">
              Use “/” for subpages, e.g. <code>Archive/Old plan</code>.
            </p>
          </div>
          <MessageField value={state.message} placeholder={`Rename: ${state.path} -> …`} />
          <div class="form-actions">
            <button type="submit">Rename page</button>
            <a href={urls.page(slug, state.path)}>Cancel</a>
          </div>
        </form>
      </div>
    </Layout>,
    status,
  );
}

// ---- delete ----

/** GET `/-/delete/{path}`: confirmation, locked to the current revision. */
export async function deleteForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/delete/"));
  const page = await ctx.pages.read(path);
  return await deletePage(c, ctx, writer, { page, message: "" });
}

/** POST `/-/delete/{path}` with the revision shown on the confirmation. */
export async function deleteSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/delete/"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "delete", path));
  if (writer instanceof Response) return writer;
  const form = await readForm(c);
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c);
  const message = form.text("message");
  if (message.length > MAX_MESSAGE_CHARS) {
    const page = await ctx.pages.read(path);
    return await deletePage(c, ctx, writer, {
      page,
      message,
      error: `The summary of the change is too long; keep it under ${MAX_MESSAGE_CHARS} characters.`,
    }, 422);
  }
  const done = await attempt(() =>
    ctx.pages.delete(path, { revision: form.text("revision").trim() || undefined, message }, writer.actor)
  );
  if (done.error instanceof ConflictError) {
    const page = await ctx.pages.read(path);
    return await deletePage(c, ctx, writer, {
      page,
      message,
      error: "The page changed since you opened this confirmation, so it was not deleted. Look at the current " +
        "version below, then confirm again if you still want to delete it.",
    }, 409);
  }
  if (done.error) throw done.error;
  return c.redirect(ctx.urls.page(ctx.slug, path), 303);
}

/** The delete confirmation. */
async function deletePage(
  c: Context<WikiEnv>,
  ctx: WikiContext,
  writer: Writer,
  state: { page: Page; message: string; error?: string },
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls, slug } = ctx;
  const { page } = state;
  const [token, links, attachments] = await Promise.all([
    formToken(c, writer),
    ctx.pages.links(page.path),
    ctx.pages.listAttachments(page.path),
  ]);
  const r = page.lastRevision;
  const n = links.linkedFrom.length;
  return htmlPage(
    c,
    <Layout title={`Delete ${page.path}`} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          Delete <a href={urls.page(slug, page.path)}>{page.path}</a>?
        </h1>
        <FormError message={state.error} />
        <ul class="consequences">
          <li>
            Current version: <code>{shortRev(page.revision)}</code> by {r.authorName},{" "}
            <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time> ({page.words}{" "}
            {page.words === 1 ? "word" : "words"}).
          </li>
          <li>
            The history is kept: you or another editor can restore the page from its{" "}
            <a href={urls.system(slug, "history", page.path)}>history</a>.
          </li>
          {n > 0 ? <li>{n} {n === 1 ? "page links" : "pages link"} here; those links will show as missing.</li> : null}
          {attachments.length > 0
            ? (
              <li>
                Its {attachments.length} {attachments.length === 1 ? "attachment stays" : "attachments stay"} with it.
              </li>
            )
            : null}
        </ul>
        <form class="editor-form" method="post" action={urls.system(slug, "delete", page.path)}>
          <CsrfField token={token} />
          <input type="hidden" name="revision" value={page.revision} />
          <MessageField value={state.message} placeholder={`Delete: ${page.path}`} />
          <div class="form-actions">
            <button type="submit" class="button-danger">Delete page</button>
            <a href={urls.page(slug, page.path)}>Cancel</a>
          </div>
        </form>
      </div>
    </Layout>,
    status,
  );
}

// ---- restore ----

/** GET `/-/restore/{path}[?rev=]`: confirmation of restoring a deleted page or an earlier version. */
export async function restoreForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/restore/"));
  const rev = c.req.query("rev")?.trim() || null;
  const [target, head] = await Promise.all([
    ctx.pages.read(path, { includeDeleted: true, ...(rev ? { revision: rev } : {}) }),
    ctx.pages.read(path, { includeDeleted: true }),
  ]);
  if (rev === null && !head.deleted) {
    throw new InvalidInputError(
      `"${path}" is not deleted, so there is nothing to restore. To bring back an earlier version, choose it in ` +
        "the page's history.",
    );
  }
  const token = await formToken(c, writer);
  const { urls, slug } = ctx;
  const r = target.lastRevision;
  return htmlPage(
    c,
    <Layout title={`Restore ${path}`} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          Restore <a href={urls.page(slug, path)}>{path}</a>
        </h1>
        <p>
          {rev === null ? "The page was deleted. Restoring brings back its last text as a new revision." : (
            <>
              Restoring writes the text of revision{" "}
              <a href={urls.page(slug, path, query({ rev: target.lastRevision.id }))}>
                <code>{shortRev(target.lastRevision.id)}</code>
              </a>{" "}
              ({r.authorName}, <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time>) as a new revision
              {head.deleted ? " and brings the page back" : ""}. Later versions stay in the history.
            </>
          )}
        </p>
        <RestoreForm ctx={ctx} path={path} rev={rev === null ? null : target.lastRevision.id} token={token}>
          <a href={urls.system(slug, "history", path)}>Cancel</a>
        </RestoreForm>
      </div>
    </Layout>,
  );
}

/** POST `/-/restore/{path}` with an optional `revision`. */
export async function restoreSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/restore/"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "history", path));
  if (writer instanceof Response) return writer;
  const form = await readForm(c);
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c);
  const message = form.text("message").slice(0, MAX_MESSAGE_CHARS);
  await ctx.pages.restore(path, { revision: form.text("revision").trim() || undefined, message }, writer.actor);
  return c.redirect(ctx.urls.page(ctx.slug, path), 303);
}

/** A one-button restore form (also embedded in the deleted-page notice and the old-revision banner). */
export function RestoreForm(
  { ctx, path, rev, token, label, children }: {
    ctx: WikiContext;
    path: string;
    rev: string | null;
    token: string;
    label?: string;
    children?: ComponentChildren;
  },
) {
  return (
    <form class="inline-form" method="post" action={ctx.urls.system(ctx.slug, "restore", path)}>
      <CsrfField token={token} />
      {rev ? <input type="hidden" name="revision" value={rev} /> : null}
      <button type="submit">{label ?? (rev ? "Restore this version" : "Restore this page")}</button> {children}
    </form>
  );
}
