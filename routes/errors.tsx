/**
 * @module
 * Error responses of the web app: WikiError subclasses (lib/errors.ts) become a readable page with their status
 * and message (or `{error, message}` JSON for clients that prefer JSON), Hono's HTTPException keeps its own
 * response, an unavailable store (lib/kv/unavailable.ts) becomes a 503 with `Retry-After`, anything else is logged
 * and becomes a generic 500 without details. Also the 404 page.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ComponentChildren } from "preact";
import { WikiError, type WikiErrorCode } from "../lib/errors.ts";
import { isKvFailure, KV_RETRY_AFTER_SECONDS } from "../lib/kv/unavailable.ts";
import { newRequestId, REQUEST_ID_HEADER } from "../lib/ids.ts";
import type { WikiRecord } from "../lib/wiki/types.ts";
import type { AppDeps } from "./env.ts";
import { htmlPage } from "./components/html.ts";
import { Layout, type WikiNav } from "./components/Layout.tsx";
import { headerAuth } from "./_middleware/session.ts";

/** Headings of error pages by failure kind. */
const TITLES: Record<WikiErrorCode, string> = {
  invalid_input: "That request is not valid",
  not_found: "Not found",
  conflict: "Conflict",
  already_exists: "Already exists",
  ambiguous: "Ambiguous",
  too_large: "Too large",
  quota_exceeded: "Quota exceeded",
  forbidden: "Not allowed",
};

const SERVER_ERROR_MESSAGE = "Something went wrong on our side. Please try again in a moment.";

/** What a person reads when the store is unavailable (a save may or may not have happened: say how to check). */
export const UNAVAILABLE_MESSAGE = "The wiki's storage is temporarily unavailable, so this request could not be " +
  "completed. Try again in a moment. If you were saving a change, open the page first to see whether it was saved.";

/** Props of {@link ErrorView}. */
export interface ErrorViewProps {
  deps: AppDeps;
  wiki: WikiNav | null;
  title: string;
  message: string;
  children?: ComponentChildren;
}

/** The body of an error page: heading, message, optional extra content, and ways back (the dashboard when signed in). */
export function ErrorView({ deps, wiki, title, message, children }: ErrorViewProps) {
  const { urls } = deps;
  const auth = headerAuth();
  const dashboard = auth?.user ? auth.dashboardUrl : null;
  return (
    <Layout title={title} urls={urls} wiki={wiki}>
      <section class="error-page">
        <h1>{title}</h1>
        <p class="error-message">{message}</p>
        {children}
        <p class="error-links">
          {wiki ? <a href={urls.wiki(wiki.slug, "/")}>Go to the wiki's home page</a> : null}
          {wiki ? " · " : null}
          {dashboard ? <a href={dashboard}>Your dashboard</a> : null}
          {dashboard ? " · " : null}
          <a href={urls.platform("/")}>robot.wtf home</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * An error page (HTML, or JSON `{error, message}` when the client prefers JSON). `code` is the JSON error code.
 * Shows the wiki's navigation when a wiki is loaded on the context.
 */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  message: string,
  extra?: ComponentChildren,
): Response {
  if (prefersJson(c.req.header("accept"))) return c.json({ error: code, message }, status);
  const deps = contextVar<AppDeps>(c, "deps");
  if (deps === undefined) return c.text(`${title}\n\n${message}\n`, status);
  const wiki = contextVar<WikiRecord>(c, "wiki");
  const nav = wiki ? { slug: wiki.slug, title: wiki.title } : null;
  return htmlPage(
    c,
    <ErrorView deps={deps} wiki={nav} title={title} message={message}>{extra}</ErrorView>,
    status,
  );
}

/** `app.onError` handler. Never shows a stack trace or an internal message; a 500 carries its log line's request id. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof WikiError) {
    return errorResponse(c, err.status as ContentfulStatusCode, err.code, TITLES[err.code], err.message);
  }
  if (err instanceof HTTPException) return err.getResponse();
  if (isKvFailure(err)) return unavailable(c, err);
  // One request id in the log line and on the answer, so that a report quoting it finds the line.
  const requestId = newRequestId();
  console.error(`Unhandled error on ${c.req.method} ${new URL(c.req.url).pathname} [request ${requestId}]:`, err);
  const res = errorResponse(c, 500, "server_error", "Server error", SERVER_ERROR_MESSAGE);
  res.headers.set(REQUEST_ID_HEADER, requestId);
  return res;
}

/**
 * The 503 of an unavailable store: a page (or `{error: "temporarily_unavailable", message}` JSON) with
 * `Retry-After`. The store's own error is logged in one line, never shown.
 */
export function unavailable(c: Context, err: Error): Response {
  const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
  console.warn(`KV unavailable on ${c.req.method} ${new URL(c.req.url).pathname}: ${cause}`);
  const res = errorResponse(c, 503, "temporarily_unavailable", "Temporarily unavailable", UNAVAILABLE_MESSAGE);
  res.headers.set("retry-after", String(KV_RETRY_AFTER_SECONDS));
  res.headers.set("cache-control", "no-store");
  return res;
}

/** `app.notFound` handler: a friendly 404 page. */
export function notFound(c: Context): Response {
  const deps = contextVar<AppDeps>(c, "deps");
  const wiki = contextVar<WikiRecord>(c, "wiki");
  const extra = deps && wiki
    ? (
      <p>
        Try the <a href={deps.urls.system(wiki.slug, "index")}>page index</a> or{" "}
        <a href={deps.urls.system(wiki.slug, "search")}>search</a>.
      </p>
    )
    : null;
  return errorResponse(c, 404, "not_found", "Page not found", "There is nothing at this address.", extra);
}

/**
 * True when the Accept header ranks `application/json` above `text/html`: by q-value, then by how specifically each
 * is named (a browser's `*\/*` or `text/html` gets HTML; `application/json, *\/*` gets JSON).
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = quality(accept, "application/json");
  const html = quality(accept, "text/html");
  return json.q > 0 && (json.q > html.q || (json.q === html.q && json.rank > html.rank));
}

/**
 * The q-value `accept` gives `type` from its most specific matching range (exact 2, `type/*` 1, `*\/*` 0), and
 * that rank; `{q: 0, rank: -1}` when nothing matches.
 */
function quality(accept: string, type: string): { q: number; rank: number } {
  const major = type.split("/")[0] + "/*";
  let best = { q: 0, rank: -1 };
  for (const part of accept.split(",")) {
    const [range, ...params] = part.trim().toLowerCase().split(";").map((s) => s.trim());
    const rank = range === type ? 2 : range === major ? 1 : range === "*/*" ? 0 : -1;
    if (rank < 0 || rank < best.rank) continue;
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    best = { q: Number.isFinite(q) ? Math.max(0, Math.min(1, q)) : 0, rank };
  }
  return best;
}

/** A context variable that may be absent (platform contexts have no wiki; errors can happen before deps). */
function contextVar<T>(c: Context, key: string): T | undefined {
  return (c.get as (key: string) => unknown)(key) as T | undefined;
}
