/**
 * Error mapping of the web app (routes/errors.tsx) on a small Hono app: domain errors as pages or JSON,
 * HTTPException passed through, anything else a generic 500 that reveals nothing.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { testConfig } from "../../lib/config.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../lib/errors.ts";
import { Urls } from "../../lib/urls.ts";
import type { AppDeps, PlatformEnv } from "../../routes/env.ts";
import { handleError, notFound, prefersJson } from "../../routes/errors.tsx";
import { securityHeaders } from "../../routes/_middleware/security.ts";
import { assertEquals, assertExcludes, assertIncludes } from "../assert.ts";

function app(): Hono<PlatformEnv> {
  const config = testConfig();
  const deps = { config, urls: new Urls(config) } as unknown as AppDeps;
  const a = new Hono<PlatformEnv>();
  a.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  a.use("*", securityHeaders());
  a.get("/missing", () => {
    throw new NotFoundError('No page "X" in this wiki. Use list_notes to see the pages.');
  });
  a.get("/conflict", () => {
    throw new ConflictError("Revision mismatch: the page is at abcdef12 now; read it again.", "abcdef12");
  });
  a.get("/invalid", () => {
    throw new InvalidInputError('Invalid page path "<x>": nope.');
  });
  a.get("/teapot", () => {
    throw new HTTPException(418, { message: "short and stout" });
  });
  a.get("/bug", () => {
    throw new TypeError("secret internal detail at /srv/app.ts:12");
  });
  a.notFound(notFound);
  a.onError(handleError);
  return a;
}

Deno.test("errors - WikiError becomes a page with its status and escaped message", async () => {
  const res = await app().request("/missing", { headers: { accept: "text/html,*/*;q=0.8" } });
  assertEquals(res.status, 404);
  const html = await res.text();
  assertIncludes(html, "<h1>Not found</h1>");
  assertIncludes(html, "No page &quot;X&quot; in this wiki. Use list_notes to see the pages.");
  const conflict = await app().request("/conflict");
  assertEquals(conflict.status, 409);
  assertIncludes(await conflict.text(), "Revision mismatch: the page is at abcdef12 now; read it again.");
  const invalid = await app().request("/invalid");
  assertEquals(invalid.status, 422);
  const body = await invalid.text();
  assertIncludes(body, "Invalid page path &quot;&lt;x>&quot;: nope.");
  assertExcludes(body, "<x>");
});

Deno.test("errors - WikiError as JSON when the client prefers JSON", async () => {
  const res = await app().request("/conflict", { headers: { accept: "application/json" } });
  assertEquals(res.status, 409);
  assertEquals(await res.json(), {
    error: "conflict",
    message: "Revision mismatch: the page is at abcdef12 now; read it again.",
  });
});

Deno.test("errors - HTTPException keeps its own response", async () => {
  const res = await app().request("/teapot");
  assertEquals(res.status, 418);
  assertEquals(await res.text(), "short and stout");
});

Deno.test("errors - unexpected errors: logged, generic 500, no details", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const res = await app().request("/bug");
    assertEquals(res.status, 500);
    const html = await res.text();
    assertIncludes(html, "Something went wrong on our side. Please try again in a moment.");
    assertExcludes(html, "secret internal detail");
    assertExcludes(html, "TypeError");
    assertExcludes(html, "app.ts");
    assertEquals(res.headers.get("x-content-type-options"), "nosniff");
    const json = await app().request("/bug", { headers: { accept: "application/json" } });
    assertEquals(await json.json(), {
      error: "server_error",
      message: "Something went wrong on our side. Please try again in a moment.",
    });
  } finally {
    console.error = original;
  }
  assertEquals(logged.length, 2);
  assertIncludes(String(logged[0][0]), "GET /bug");
});

Deno.test("errors - 404 page", async () => {
  const res = await app().request("/nowhere");
  assertEquals(res.status, 404);
  const html = await res.text();
  assertIncludes(html, "<h1>Page not found</h1>");
  assertIncludes(html, '<a href="http://localhost:8000/">robot.wtf home</a>');
  assertIncludes(res.headers.get("content-security-policy")!, "default-src 'self'");
});

Deno.test("errors - prefersJson", () => {
  assertEquals(prefersJson(undefined), false);
  assertEquals(prefersJson("*/*"), false);
  assertEquals(prefersJson("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), false);
  assertEquals(prefersJson("application/json"), true);
  assertEquals(prefersJson("application/json, text/plain, */*"), true);
  assertEquals(prefersJson("text/html;q=0.5, application/json"), true);
  assertEquals(prefersJson("application/json;q=0.4, text/html"), false);
  assertEquals(prefersJson("application/*"), true);
  assertEquals(prefersJson("application/json;q=0"), false);
  assertEquals(prefersJson("text/*, application/json"), true);
});
