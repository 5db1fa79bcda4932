/**
 * @module
 * Which connection made a write. An agent writes through MCP with an OAuth grant or a per-wiki token; its
 * revisions carry `connection` (`oauth:<grant id>` or `token:<token id>`), so that everything one connection
 * changed can be found again (lib/wiki/undo.ts). Revisions written by a token before `connection` was recorded
 * are still recognised by their author (`token:<token id>`).
 */
import type { RevisionInfo } from "./types.ts";

/** The kinds of connection an agent writes through. */
export type ConnectionKind = "oauth" | "token";

/** Longest id accepted in a connection name. */
const MAX_CONNECTION_ID = 100;
const CONNECTION_ID = /^[A-Za-z0-9_-]+$/;

/** The connection name of an OAuth grant. */
export function oauthConnection(grantId: string): string {
  return `oauth:${grantId}`;
}

/** The connection name of a per-wiki token. */
export function tokenConnection(tokenId: string): string {
  return `token:${tokenId}`;
}

/** The connection name of `kind` and `id`, or null when the id is malformed (empty, too long, odd characters). */
export function connectionOf(kind: ConnectionKind, id: string): string | null {
  if (id.length === 0 || id.length > MAX_CONNECTION_ID || !CONNECTION_ID.test(id)) return null;
  return kind === "oauth" ? oauthConnection(id) : tokenConnection(id);
}

/** True when `rev` was written through `connection`. */
export function madeBy(rev: Pick<RevisionInfo, "connection" | "author">, connection: string): boolean {
  if (rev.connection !== undefined) return rev.connection === connection;
  return connection.startsWith("token:") && rev.author === connection;
}
