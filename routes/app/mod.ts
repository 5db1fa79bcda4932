/**
 * @module
 * The dashboard (/app/*) on the platform origin: the person's wikis, each wiki's settings (tokens, connected apps,
 * visibility, collaborators, usage, deletion) and the account page. Every route needs a signed-in session (else
 * login, then back) and every POST a CSRF token (routes/app/context.ts). Signup is the sign-in routes' job.
 *
 * | Route                                        | Does                                     |
 * | -------------------------------------------- | ---------------------------------------- |
 * | `GET /app/`                                  | wikis owned and shared; create form      |
 * | `POST /app/wikis`                            | create a wiki                            |
 * | `GET /app/wikis/:slug`                       | settings (read-only for non-admins)      |
 * | `POST /app/wikis/:slug/tokens`               | create a token (shown once)              |
 * | `POST /app/wikis/:slug/tokens/:id/revoke`    | revoke a token                           |
 * | `POST /app/wikis/:slug/apps/:grant/revoke`   | disconnect an OAuth app                  |
 * | `POST /app/wikis/:slug/visibility`           | private / logged in / public             |
 * | `POST /app/wikis/:slug/members`              | add a collaborator by handle             |
 * | `POST /app/wikis/:slug/members/role`         | change a collaborator's role             |
 * | `POST /app/wikis/:slug/members/remove`       | remove a collaborator                    |
 * | `POST /app/wikis/:slug/delete`               | delete the wiki (owner; type its slug)   |
 * | `GET /app/wikis/:slug/export`                | the wiki as a zip (archive.tsx)          |
 * | `POST /app/wikis/:slug/import`, `GET/POST /app/wikis/:slug/import/:id` | upload, review, import |
 * | `GET/POST /app/wikis/:slug/undo/:kind/:id`   | undo a connection's changes (undo.tsx)   |
 * | `POST /app/wikis/:slug/connect/check`        | test the connection (connect_guide.tsx)  |
 * | `GET /app/account`, `POST /app/account/delete` | account; delete it (type the handle)   |
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import { dashboardGuard } from "./context.ts";
import { createWikiRoute, overviewRoute } from "./overview.tsx";
import { settingsRoute } from "./wiki_settings.tsx";
import {
  addMemberRoute,
  changeRoleRoute,
  createTokenRoute,
  deleteWikiRoute,
  removeMemberRoute,
  revokeAppRoute,
  revokeTokenRoute,
  visibilityRoute,
} from "./wiki_actions.ts";
import { accountRoute, deleteAccountRoute } from "./account.tsx";
import { undoApplyRoute, undoPlanRoute } from "./undo.tsx";
import { connectionCheckRoute } from "./connect_guide.tsx";
import { exportRoute, importApplyRoute, importPlanRoute, importUploadRoute } from "./archive.tsx";

/** Registers this group's routes. */
export function registerAppRoutes(app: Hono<PlatformEnv>): void {
  app.use("/app", dashboardGuard);
  app.use("/app/*", dashboardGuard);
  app.get("/app", (c) => c.redirect("/app/", 301));
  app.get("/app/", overviewRoute);
  app.post("/app/wikis", createWikiRoute);
  app.get("/app/wikis/:slug", settingsRoute);
  app.post("/app/wikis/:slug/tokens", createTokenRoute);
  app.post("/app/wikis/:slug/tokens/:id/revoke", revokeTokenRoute);
  app.post("/app/wikis/:slug/apps/:grant/revoke", revokeAppRoute);
  app.post("/app/wikis/:slug/visibility", visibilityRoute);
  app.post("/app/wikis/:slug/members", addMemberRoute);
  app.post("/app/wikis/:slug/members/role", changeRoleRoute);
  app.post("/app/wikis/:slug/members/remove", removeMemberRoute);
  app.post("/app/wikis/:slug/delete", deleteWikiRoute);
  app.get("/app/wikis/:slug/undo/:kind/:id", undoPlanRoute);
  app.post("/app/wikis/:slug/undo/:kind/:id", undoApplyRoute);
  app.post("/app/wikis/:slug/connect/check", connectionCheckRoute);
  app.get("/app/wikis/:slug/export", exportRoute);
  app.post("/app/wikis/:slug/import", importUploadRoute);
  app.get("/app/wikis/:slug/import/:id", importPlanRoute);
  app.post("/app/wikis/:slug/import/:id", importApplyRoute);
  app.get("/app/account", accountRoute);
  app.post("/app/account/delete", deleteAccountRoute);
}
