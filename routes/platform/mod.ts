/**
 * @module
 * Platform routes: the landing page, static assets, sign-in (/auth/*), the dashboard (/app/*) and, in path mode,
 * the origin-root OAuth endpoints Claude.ai falls back to (root_oauth.ts).
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import { serveAssets } from "../components/assets.ts";
import { landingRoute } from "./landing.tsx";
import { registerAuthRoutes } from "../auth/mod.ts";
import { registerAppRoutes } from "../app/mod.ts";
import { registerRootOAuth } from "./root_oauth.ts";
import { registerRootMetadata } from "./root_metadata.ts";

/** Registers the platform's pages on the platform app. */
export function registerPlatform(app: Hono<PlatformEnv>): void {
  app.get("/", landingRoute);
  app.get("/static/*", serveAssets());
  registerAuthRoutes(app);
  registerAppRoutes(app);
  registerRootOAuth(app);
  registerRootMetadata(app);
}
