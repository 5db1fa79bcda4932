/**
 * @module
 * The dashboard (/app/*): signup, wikis, tokens, visibility, collaborators, connected apps, account.
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";

/** Registers this group's routes. */
export function registerAppRoutes(_app: Hono<PlatformEnv>): void {
}
