/**
 * @module
 * Sign-in, sign-out, the ATProto client documents and the cross-host hand-off on the platform origin (/auth/*).
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";

/** Registers this group's routes. */
export function registerAuthRoutes(_app: Hono<PlatformEnv>): void {
}
