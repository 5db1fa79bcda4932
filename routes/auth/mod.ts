/**
 * @module
 * Sign-in, sign-out, signup, the ATProto client documents and the cross-host hand-off on the platform origin
 * (/auth/*). See docs/sessions.md and docs/atproto-login.md.
 */
import type { Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import * as login from "./login.tsx";
import { logoutRoute } from "./logout.ts";
import { handoffRoute } from "./handoff.ts";
import { signupFormRoute, signupSubmitRoute } from "./signup.tsx";

/** Registers this group's routes. */
export function registerAuthRoutes(app: Hono<PlatformEnv>): void {
  app.get("/auth/login", login.loginRoute);
  app.post("/auth/login", login.loginSubmitRoute);
  app.get("/auth/callback", login.callbackRoute);
  app.get("/auth/transfer", login.transferRoute);
  app.post("/auth/logout", logoutRoute<PlatformEnv>((c) => c.get("deps").urls.platform("/")));
  app.get("/auth/handoff", handoffRoute);
  app.get("/auth/signup", signupFormRoute);
  app.post("/auth/signup", signupSubmitRoute);
  app.get("/auth/client-metadata.json", login.clientMetadataRoute);
  app.get("/auth/jwks.json", login.jwksRoute);
}
