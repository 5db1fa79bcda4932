/**
 * @module
 * Which tools a caller sees and what a call of one it may not use answers, decided from the caller's principal by
 * the access policy (lib/auth/access.ts `scopeStanding`):
 *
 * - `tools/list` lists only the tools whose scope the credential holds NOW (its scopes capped by the user's current
 *   role), so a viewer or a read-only token is never offered a write tool;
 * - a call of a tool whose scope the credential can NEVER get (a viewer, a read-only per-wiki token) is answered by
 *   a tool result with `isError` that says why (an agent reads it; an HTTP 403 it cannot);
 * - a call of a tool whose scope the credential could get by authorizing again keeps the spec's 403
 *   `insufficient_scope` step-up challenge (lib/mcp/endpoint.ts answers it before the SDK runs).
 */
import type { Principal, Scope } from "../auth/principal.ts";
import { scopeStanding } from "../auth/access.ts";

/** What this module needs of a tool. */
interface ScopedTool {
  name: string;
  scope: Scope;
}

/** True when `principal` may call `tool` now, and so sees it in `tools/list`. */
export function lists(principal: Principal, tool: ScopedTool): boolean {
  return scopeStanding(principal, tool.scope) === "held";
}

/**
 * Why `principal` may not call `tool` (undefined when it may): the text of the `isError` result. A credential that
 * could get the scope by authorizing again is told so (the endpoint normally answers it with a 403 first).
 */
export function refusalOf(principal: Principal, tool: ScopedTool): string | undefined {
  const standing = scopeStanding(principal, tool.scope);
  if (standing === "held") return undefined;
  if (standing === "step-up") {
    return `Not allowed: ${tool.name} needs ${tool.scope}, which this connection was not granted. Connect the app again and allow ` +
      `${tool.scope}; nothing was changed.`;
  }
  const readOnly = principal.attainable.has("wiki:read");
  const what = `${tool.name} (it needs ${tool.scope})`;
  const lead = readOnly ? "You can only read this wiki" : `This credential cannot use ${tool.scope}`;
  if (principal.role !== undefined) {
    return `${lead}: your role is ${principal.role}, so ${what} is not available to you or to apps you ` +
      `connect. Nothing was changed. Ask an admin of the wiki to make you an editor if you need to change pages.`;
  }
  return `${lead}: this token (${principal.clientName}) is read-only, so ${what} is not available. Nothing ` +
    `was changed. Ask the wiki's owner for a read-write token if you need to change pages.`;
}
