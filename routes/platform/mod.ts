/**
 * @module
 * Platform routes: the landing page and static assets. (Sign-in and the dashboard come later.)
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import { serveAssets } from "../components/assets.ts";
import { landingRoute } from "./landing.tsx";

/** Registers the platform's pages on the platform app. */
export function registerPlatform(app: Hono<PlatformEnv>): void {
  app.get("/", landingRoute);
  app.get("/static/*", serveAssets());
}
