/**
 * @module
 * The editor page of routes/wiki/edit/editor.tsx: the form (path, Markdown, summary), an error or notice, the
 * preview, and the conflict view (what happened, the diff to the person's text, the current text to copy from).
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ComponentChildren } from "preact";
import type { Page } from "../../../lib/wiki/types.ts";
import type { WikiEnv } from "../../env.ts";
import { formatTime, isoTime, shortRev } from "../../components/format.ts";
import { htmlPage } from "../../components/html.ts";
import { Layout } from "../../components/Layout.tsx";
import type { WikiContext } from "../../components/wiki_context.ts";
import { DiffTable } from "../diff.tsx";
import { editorScriptUrl } from "./island.ts";
import { CsrfField, FormError, MessageField, TextArea } from "./forms.tsx";

/** Everything the editor form shows. */
export interface EditorState {
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
export interface Conflict {
  current: Page | null;
  unified: string;
  added: number;
  removed: number;
}

/** The editor page (`status`: 200, or the refusal's or conflict's status). */
export function editorPage(
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
          <MessageField value={state.message} placeholder={isNew ? "Create: …" : `Update: ${state.path}`} />
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
