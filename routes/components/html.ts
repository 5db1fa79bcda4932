/**
 * @module
 * Turns a Preact tree into an HTML response.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";

/** Renders `node` as a complete HTML document response with `status`. */
export function htmlPage(c: Context, node: VNode, status: ContentfulStatusCode = 200): Response {
  return c.html("<!DOCTYPE html>" + render(node), status);
}
