/**
 * @module
 * Export and import of a wiki from its settings page (lib/archive/). Any member may export (everything in the zip is
 * what they can already read); only admins import.
 *
 * | Route                                | Does                                                                  |
 * | ------------------------------------ | --------------------------------------------------------------------- |
 * | `GET /app/wikis/:slug/export`        | the zip, streamed as it is made                                       |
 * | `POST /app/wikis/:slug/import`       | upload (multipart, CSRF in the query): staged in KV, then to the plan |
 * | `GET /app/wikis/:slug/import/:id`    | the plan of a staged upload (a dry run)                               |
 * | `POST /app/wikis/:slug/import/:id`   | import it, or cancel (`do=cancel`); CSRF in the form                  |
 *
 * The upload is read by its own bounded streaming reader (lib/archive/multipart.ts), up to the wiki's upload limit
 * (`uploadLimit`), not the request-body cap: main.ts leaves `STREAMED_UPLOAD_PATH` (routes/app/context.ts) out of the
 * body limit, and the dashboard guard takes its CSRF token from the query.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { htmlPage } from "../components/html.ts";
import { accessWiki, requireAdmin, type WikiAccess } from "../../lib/platform/access.ts";
import { can } from "../../lib/auth/access.ts";
import { InvalidInputError, NotFoundError, WikiError } from "../../lib/errors.ts";
import { exportWikiZip } from "../../lib/archive/export.ts";
import { historyBundleBytes } from "../../lib/git/bundle.ts";
import { importArchive, planArchive } from "../../lib/archive/import.ts";
import { type ImportTarget, planBlocker } from "../../lib/archive/import_plan.ts";
import { attachmentHref } from "../../lib/archive/attachment_refs.ts";
import { uploadLimit } from "../../lib/archive/archive.ts";
import { multipartBoundary, readMultipartUpload } from "../../lib/archive/multipart.ts";
import { dropUpload, findUpload, stageUpload, uploadSource } from "../../lib/archive/upload_store.ts";
import { formatLimit } from "../../lib/wiki/commit.ts";
import { currentUser, formToken, readForm, settingsPath } from "./context.ts";
import { AppPage, FormError, PostForm } from "./ui.tsx";
import { PlanView } from "./archive_parts.tsx";
import { renderSettings } from "./wiki_settings.tsx";
import { contentDisposition } from "../wiki/attachment.ts";

/** The person's access to the wiki named by the URL. */
async function load(c: Context<PlatformEnv>): Promise<WikiAccess> {
  return await accessWiki(c.get("deps").platform.wikis, c.req.param("slug") ?? "", currentUser(c).did);
}

/** The import target of a wiki in this app. */
function importTarget(c: Context<PlatformEnv>, wiki: WikiRecord): ImportTarget {
  const { kv, wikis, config, urls } = c.get("deps");
  return {
    kv,
    wiki,
    pages: wikis.pages(wiki),
    limits: config.limits,
    attachmentHref: (path, filename) => attachmentHref(urls.attachment(wiki.slug, path, filename)),
  };
}

/** GET /app/wikis/:slug/export: the zip, streamed (no Content-Length: its size is known only at the end). */
export async function exportRoute(c: Context<PlatformEnv>): Promise<Response> {
  const access = await load(c);
  if (!can(access, "read")) throw new NotFoundError("There is no such wiki.");
  const date = new Date((c.get("deps").platform.now ?? Date.now)()).toISOString().slice(0, 10);
  const kv = c.get("deps").kv;
  return c.body(exportWikiZip(kv, access.wiki, { gitBundle: (w) => historyBundleBytes(kv, w.id) }), 200, {
    "Content-Type": "application/zip",
    "Content-Disposition": contentDisposition("attachment", `${access.wiki.slug}-${date}.zip`),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
}

/** POST /app/wikis/:slug/import: streams the upload into KV, then shows its plan. */
export async function importUploadRoute(c: Context<PlatformEnv>): Promise<Response> {
  const access = await load(c);
  requireAdmin(access);
  const { kv, config } = c.get("deps");
  const max = uploadLimit(access.wiki, config.limits);
  try {
    const boundary = multipartBoundary(c.req.header("content-type"));
    const body = c.req.raw.body;
    if (boundary === null || body === null) throw new InvalidInputError("Choose a .zip file to upload.");
    if (Number(c.req.header("content-length") ?? 0) > max + 64 * 1024) {
      await body.cancel().catch(() => {});
      throw new InvalidInputError(`The archive is larger than this wiki can take in (${formatLimit(max)}).`);
    }
    const { file } = await readMultipartUpload(body, boundary);
    if (file === null || file.filename === "") throw new InvalidInputError("Choose a .zip file to upload.");
    const now = (c.get("deps").platform.now ?? Date.now)();
    const meta = await stageUpload(kv, access.wiki.id, file.bytes, {
      by: currentUser(c).did,
      filename: file.filename.slice(0, 200),
      maxBytes: max,
      now,
    });
    return c.redirect(`${settingsPath(access.wiki.slug)}/import/${meta.id}`, 303);
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    const error = { section: "import" as const, message: `${err.message} Nothing was imported.` };
    return await renderSettings(c, access, { error }, err.status as ContentfulStatusCode);
  }
}

/** The admin's access and their staged upload named by the URL (404 when gone). */
async function loadUpload(c: Context<PlatformEnv>) {
  const access = await load(c);
  requireAdmin(access);
  const now = (c.get("deps").platform.now ?? Date.now)();
  const meta = await findUpload(c.get("deps").kv, access.wiki.id, c.req.param("id") ?? "", currentUser(c).did, now);
  if (meta === null) {
    throw new NotFoundError("This upload has expired or was already imported. Upload the archive again.");
  }
  return { access, meta, src: uploadSource(c.get("deps").kv, access.wiki.id, meta) };
}

/** GET /app/wikis/:slug/import/:id: the dry run of a staged upload. */
export async function importPlanRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { access, meta, src } = await loadUpload(c);
  return await renderPlan(c, access, meta.id, meta.filename, src, null);
}

/** POST /app/wikis/:slug/import/:id: imports the staged upload (or cancels it). */
export async function importApplyRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { access, meta, src } = await loadUpload(c);
  const form = await readForm(c);
  const { kv, urls } = c.get("deps");
  if (form.do === "cancel") {
    await dropUpload(kv, access.wiki.id, meta.id);
    return c.redirect(`${settingsPath(access.wiki.slug)}#import`, 303);
  }
  const user = currentUser(c);
  try {
    const result = await importArchive(importTarget(c, access.wiki), src, {
      id: user.did,
      name: user.handle,
      client: "web",
    }, {
      skipConflicts: form.skip_conflicts === "1",
    });
    await dropUpload(kv, access.wiki.id, meta.id);
    return htmlPage(
      c,
      <AppPage title="Import done" urls={urls} current="wikis">
        <h1>Imported into {access.wiki.title}</h1>
        <p class="notice notice-ok" role="status">
          {result.pagesWritten} pages and {result.attachmentsWritten} attachments imported
          {result.revisionsRestored ? `, with ${result.revisionsRestored} revisions of history` : ""}.
        </p>
        <p>
          <a class="button" href={urls.wikiBase(access.wiki.slug) + "/"}>Open the wiki</a>{" "}
          <a href={settingsPath(access.wiki.slug)}>Back to settings</a>
        </p>
      </AppPage>,
    );
  } catch (err) {
    if (!(err instanceof WikiError) || err.code === "forbidden") throw err;
    return await renderPlan(c, access, meta.id, meta.filename, src, err.message, err.status as ContentfulStatusCode);
  }
}

/** The plan page: what the import would do, and the Import / Cancel buttons. */
async function renderPlan(
  c: Context<PlatformEnv>,
  access: WikiAccess,
  id: string,
  filename: string,
  src: ReturnType<typeof uploadSource>,
  error: string | null,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { urls } = c.get("deps");
  const token = await formToken(c);
  const action = `${settingsPath(access.wiki.slug)}/import/${id}`;
  let body;
  try {
    const { plan } = await planArchive(importTarget(c, access.wiki), src);
    const blocked = planBlocker(plan, { skipConflicts: true });
    const conflicts = [...plan.pages, ...plan.attachments].some((p) => p.action === "conflict");
    body = (
      <>
        <PlanView plan={plan} />
        <PostForm action={action} token={token}>
          {conflicts
            ? (
              <label class="check">
                <input type="checkbox" name="skip_conflicts" value="1" />{" "}
                Skip the conflicts (the wiki's pages stay as they are) and import the rest
              </label>
            )
            : null}
          <p>
            {blocked === null ? <button type="submit" name="do" value="import">Import</button> : null}{" "}
            <button type="submit" name="do" value="cancel" class="btn-quiet">Cancel</button>
          </p>
        </PostForm>
      </>
    );
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    await dropUpload(c.get("deps").kv, access.wiki.id, id);
    body = <FormError message={`${err.message} Nothing was imported.`} />;
    status = status === 200 ? (err.status as ContentfulStatusCode) : status;
  }
  return htmlPage(
    c,
    <AppPage title={`Import into ${access.wiki.title}`} urls={urls} current="wikis">
      <p class="breadcrumbs">
        <a href={urls.platform("/app/")}>Your wikis</a>
        <span class="sep">/</span>
        <a href={settingsPath(access.wiki.slug)}>{access.wiki.slug}</a>
      </p>
      <h1>Import {filename}</h1>
      <FormError message={error} />
      {body}
    </AppPage>,
    status,
  );
}
