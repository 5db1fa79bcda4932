/**
 * @module
 * Browser editing on a wiki host: new, edit, rename, delete, restore, attachments.
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../../env.ts";

/** Registers this group's routes. */
export function registerWikiEditRoutes(_app: Hono<WikiEnv>): void {
}
