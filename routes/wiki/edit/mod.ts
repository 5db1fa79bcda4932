/**
 * @module
 * Browser editing on a wiki host (both addressing modes), under the wiki's `/-/` system paths:
 *
 * | Route                        | What                                                               |
 * | ---------------------------- | ------------------------------------------------------------------ |
 * | GET/POST `/-/new[?path=]`    | create a page (path + Markdown)                                     |
 * | GET/POST `/-/edit/{path}`    | edit with optimistic locking; conflict view keeps the person's text |
 * | GET/POST `/-/rename/{path}`  | rename; WikiLinks to the page are rewritten                         |
 * | GET/POST `/-/delete/{path}`  | delete (history kept)                                               |
 * | GET/POST `/-/restore/{path}` | undelete, or `?rev=` / `revision`: bring back an earlier version    |
 * | GET/POST `/-/attach/{path}`  | list attachments, upload (multipart)                                |
 * | GET/POST `/-/detach/{path}`  | remove an attachment (`filename`), after a confirmation             |
 *
 * Only admins and editors may use them (./guard.tsx); every POST is CSRF-checked and answers 303 on success.
 */
import type { Hono, MiddlewareHandler } from "hono";
import type { WikiEnv } from "../../env.ts";
import { editForm, editSave, newPageForm, newPageSave } from "./editor.tsx";
import { deleteForm, deleteSave, renameForm, renameSave, restoreForm, restoreSave } from "./manage.tsx";
import { attachForm, attachSave, detachForm, detachSave } from "./attach.tsx";

/** Path patterns of this group. */
const EDIT_PATHS = ["/-/new", "/-/edit/*", "/-/rename/*", "/-/delete/*", "/-/restore/*", "/-/attach/*", "/-/detach/*"];

/** Forms carry per-session CSRF tokens and base revisions: never cached, always fresh after "back". */
const noStore: MiddlewareHandler<WikiEnv> = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
};

/** Registers this group's routes (before the page routes, after the wiki loader). */
export function registerWikiEditRoutes(app: Hono<WikiEnv>): void {
  for (const path of EDIT_PATHS) app.use(path, noStore);
  app.get("/-/new", newPageForm);
  app.post("/-/new", newPageSave);
  app.get("/-/edit/*", editForm);
  app.post("/-/edit/*", editSave);
  app.get("/-/rename/*", renameForm);
  app.post("/-/rename/*", renameSave);
  app.get("/-/delete/*", deleteForm);
  app.post("/-/delete/*", deleteSave);
  app.get("/-/restore/*", restoreForm);
  app.post("/-/restore/*", restoreSave);
  app.get("/-/attach/*", attachForm);
  app.post("/-/attach/*", attachSave);
  app.get("/-/detach/*", detachForm);
  app.post("/-/detach/*", detachSave);
}
