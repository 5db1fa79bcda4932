/**
 * @module
 * Sign-in on a wiki origin: the hand-off redemption (/-/auth/*).
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../../env.ts";

/** Registers this group's routes. */
export function registerWikiAuthRoutes(_app: Hono<WikiEnv>): void {
}
