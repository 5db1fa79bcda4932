/**
 * @module
 * A page's attachments in the browser: `/-/attach/{path}` lists them with a delete button each and an upload form
 * (multipart); POST `/-/attach/{path}` uploads (10 MB per file by default, the wiki's quota applies); GET
 * `/-/detach/{path}?filename=` confirms and POST `/-/detach/{path}` with `filename` removes one (attachments keep no
 * history, hence the confirmation). Refusals (no file, too large, quota, bad name) show the page
 * again with a readable reason; successes answer 303 back to the list with a short confirmation.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { TooLargeError } from "../../../lib/errors.ts";
import { canonicalPath } from "../../../lib/wiki/paths.ts";
import type { AttachmentInfo } from "../../../lib/wiki/types.ts";
import type { WikiEnv } from "../../env.ts";
import { formatBytes, formatTime, isoTime, query } from "../../components/format.ts";
import { htmlPage } from "../../components/html.ts";
import { Layout } from "../../components/Layout.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../../components/wiki_context.ts";
import { CSRF_FIELD, csrfValid, formToken, refuseCsrf, requireWriter, type Writer } from "./guard.tsx";
import { attempt, CsrfField, FormError, MAX_MESSAGE_CHARS, readForm, statusOf } from "./forms.tsx";

/** Message when the upload form arrives without a file. */
export const NO_FILE_MESSAGE = "Choose a file to upload first.";

/** GET `/-/attach/{path}`. */
export async function attachForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/attach/"));
  await ctx.pages.read(path);
  return await attachPage(c, ctx, writer, path, {
    uploaded: c.req.query("uploaded") ?? null,
    removed: c.req.query("removed") ?? null,
  });
}

/**
 * Longest attachment name a form may send, in characters. Stored names are at most 255 UTF-8 bytes, so nothing longer
 * names an existing file; an upload's longer name keeps its end (the extension) and is shortened by the wiki's
 * filename rules. The bound keeps those rules from working on megabytes of name.
 */
export const MAX_FILENAME_INPUT_CHARS = 1024;

/** The last `max` characters (code points) of `text`. */
function lastChars(text: string, max: number): string {
  return text.length <= max ? text : Array.from(text).slice(-max).join("");
}

/** POST `/-/attach/{path}` (multipart: `file`, optional `filename`, `message`). */
export async function attachSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/attach/"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "attach", path));
  if (writer instanceof Response) return writer;
  const form = await readForm(c);
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c);
  await ctx.pages.read(path);
  const file = form.file("file");
  const refuse = (error: string, status: ContentfulStatusCode) =>
    attachPage(c, ctx, writer, path, { error, name: form.text("filename") }, status);
  if (file === null || (file.size === 0 && file.name === "")) return await refuse(NO_FILE_MESSAGE, 422);
  const max = c.get("deps").config.limits.maxAttachmentBytes;
  if (file.size > max) {
    return await refuse(
      `“${file.name}” is ${formatBytes(file.size)}; files can be at most ${formatBytes(max)}. Nothing was uploaded.`,
      new TooLargeError("").status as ContentfulStatusCode,
    );
  }
  const message = form.text("message").slice(0, MAX_MESSAGE_CHARS);
  const name = lastChars(form.text("filename").trim() || file.name, MAX_FILENAME_INPUT_CHARS);
  const data = new Uint8Array(await file.arrayBuffer());
  const done = await attempt(() =>
    ctx.pages.putAttachment(path, name, data, { mime: file.type || undefined, message }, writer.actor)
  );
  if (done.error) return await refuse(done.error.message, statusOf(done.error));
  return c.redirect(ctx.urls.system(ctx.slug, "attach", path, query({ uploaded: done.ok.filename })), 303);
}

/** GET `/-/detach/{path}?filename=`: confirmation (removed files are not kept in the history). */
export async function detachForm(c: Context<WikiEnv>): Promise<Response> {
  const writer = requireWriter(c);
  if (writer instanceof Response) return writer;
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/detach/"));
  const filename = c.req.query("filename") ?? "";
  const info = (await ctx.pages.listAttachments(path)).find((a) => a.filename === filename);
  if (!info) {
    return await attachPage(c, ctx, writer, path, {
      error: `Page "${path}" has no attachment "${filename}". The list below shows the names.`,
    }, 404);
  }
  const { urls, slug } = ctx;
  return htmlPage(
    c,
    <Layout title={`Remove ${filename}`} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          Remove “{filename}”?
        </h1>
        <p>
          From <a href={urls.page(slug, path)}>{path}</a> ({formatBytes(info.size)},{" "}
          {info.mime}). Removed files are not kept in the page's history: download it first if you may need it again.
        </p>
        <form class="editor-form" method="post" action={urls.system(slug, "detach", path)}>
          <CsrfField token={await formToken(c, writer)} />
          <input type="hidden" name="filename" value={filename} />
          <div class="form-actions">
            <button type="submit" class="button-danger">Remove file</button>
            <a href={urls.attachment(slug, path, filename)}>Download</a>
            <a href={urls.system(slug, "attach", path)}>Cancel</a>
          </div>
        </form>
      </div>
    </Layout>,
  );
}

/** POST `/-/detach/{path}` with `filename`. */
export async function detachSave(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/detach/"));
  const writer = requireWriter(c, ctx.urls.system(ctx.slug, "attach", path));
  if (writer instanceof Response) return writer;
  const form = await readForm(c);
  if (!await csrfValid(c, writer, form.text(CSRF_FIELD))) return refuseCsrf(c);
  const filename = form.text("filename");
  if (filename.length > MAX_FILENAME_INPUT_CHARS) {
    const error = `Page "${path}" has no attachment "${filename.slice(0, 60)}…". The list below shows the names.`;
    return await attachPage(c, ctx, writer, path, { error }, 404);
  }
  const done = await attempt(() =>
    ctx.pages.deleteAttachment(
      path,
      filename,
      { message: form.text("message").slice(0, MAX_MESSAGE_CHARS) },
      writer.actor,
    )
  );
  if (done.error) return await attachPage(c, ctx, writer, path, { error: done.error.message }, statusOf(done.error));
  return c.redirect(ctx.urls.system(ctx.slug, "attach", path, query({ removed: filename })), 303);
}

/** What the attachments page shows besides the list. */
interface AttachState {
  error?: string;
  /** The "save as" name typed with a refused upload. */
  name?: string;
  /** Confirmation after an upload or a removal (shown only when it matches the list). */
  uploaded?: string | null;
  removed?: string | null;
}

/** The attachments page: confirmation or error, the list, the upload form, usage. */
async function attachPage(
  c: Context<WikiEnv>,
  ctx: WikiContext,
  writer: Writer,
  path: string,
  state: AttachState,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls, slug } = ctx;
  const [token, attachments, usage] = await Promise.all([
    formToken(c, writer),
    ctx.pages.listAttachments(path),
    ctx.pages.usage(),
  ]);
  const names = new Set(attachments.map((a) => a.filename));
  const max = c.get("deps").config.limits.maxAttachmentBytes;
  const done = state.uploaded && names.has(state.uploaded)
    ? `Uploaded “${state.uploaded}”.`
    : state.removed && !names.has(state.removed)
    ? `Removed “${state.removed}”.`
    : null;
  return htmlPage(
    c,
    <Layout title={`Attachments of ${path}`} urls={urls} wiki={ctx.nav}>
      <div class="editor-page">
        <h1>
          Attachments of <a href={urls.page(slug, path)}>{path}</a>
        </h1>
        <FormError message={state.error} />
        {done ? <p class="notice notice-done" role="status">{done}</p> : null}
        {attachments.length === 0
          ? <p class="muted">This page has no attachments yet.</p>
          : <AttachmentList ctx={ctx} path={path} attachments={attachments} />}
        <form
          class="editor-form upload-form"
          method="post"
          action={urls.system(slug, "attach", path)}
          enctype="multipart/form-data"
        >
          <h2>Upload a file</h2>
          <CsrfField token={token} />
          <div class="field">
            <label for="attach-file">File</label>
            <input type="file" id="attach-file" name="file" required aria-describedby="attach-hint" />
            <p class="hint" id="attach-hint">
              Up to {formatBytes(max)} per file. A file with the same name replaces the old one. This wiki uses{" "}
              {formatBytes(usage.bytes)} of {formatBytes(usage.quotaBytes)}.
            </p>
          </div>
          <div class="field">
            <label for="attach-name">
              Save as <span class="muted">(optional; default: the file's own name)</span>
            </label>
            <input type="text" id="attach-name" name="filename" value={state.name ?? ""} autocomplete="off" />
          </div>
          <div class="form-actions">
            <button type="submit">Upload</button>
            <a href={urls.page(slug, path)}>Back to the page</a>
          </div>
        </form>
      </div>
    </Layout>,
    status,
  );
}

/** The attachments with download links and a remove button each. */
function AttachmentList({ ctx, path, attachments }: { ctx: WikiContext; path: string; attachments: AttachmentInfo[] }) {
  return (
    <ul class="attachment-list">
      {attachments.map((a) => (
        <li>
          <div class="attachment-info">
            <a href={ctx.urls.attachment(ctx.slug, path, a.filename)}>{a.filename}</a>{" "}
            <span class="muted">
              {formatBytes(a.size)} · {a.mime} · <time datetime={isoTime(a.updatedAt)}>{formatTime(a.updatedAt)}</time>
            </span>
          </div>
          <a
            class="button button-secondary"
            href={ctx.urls.system(ctx.slug, "detach", path, query({ filename: a.filename }))}
            aria-label={`Remove ${a.filename}`}
          >
            Remove
          </a>
        </li>
      ))}
    </ul>
  );
}
