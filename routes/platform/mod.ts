/**
 * @module
 * Platform routes: the landing page, static assets, sign-in (/auth/*) and the dashboard (/app/*).
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import { serveAssets } from "../components/assets.ts";
import { landingRoute } from "./landing.tsx";
import { registerAuthRoutes } from "../auth/mod.ts";
import { registerAppRoutes } from "../app/mod.ts";

/** Registers the platform's pages on the platform app. */
export function registerPlatform(app: Hono<PlatformEnv>): void {
  app.get("/", landingRoute);
  app.get("/static/*", serveAssets());
  registerAuthRoutes(app);
  registerAppRoutes(app);
}
