/**
 * @module
 * The calls of the structured-output test (tests/mcp/structured_test.ts), shared with tests/mcp/output_test.ts,
 * which checks that they cover every data tool.
 */
import type { OUTPUT } from "../../lib/mcp/output.ts";

/** Name of a tool with an output schema. */
export type ToolName = keyof typeof OUTPUT;

/**
 * One call of each data tool, covering each form of its result (get_diff's are added once its revisions exist).
 * The server does not validate structured content against the schemas (lib/mcp/server.ts `trustedOutputSchema`):
 * these calls are what checks it, and tests/mcp/output_test.ts checks that they cover every data tool.
 */
export const STRUCTURED_CALLS: [ToolName, Record<string, unknown>][] = [
  ["get_diff", { path: "Design/Auth", from_revision: "FIRST" }],
  ["get_diff", { path: "Design/Auth", from_revision: "FIRST", offset: 10 }],
  ["read_note", { path: "Design/Auth" }],
  ["read_note", { path: "Design/Auth", outline: true }],
  ["read_note", { path: "Design/Auth", section: "Goals" }],
  ["read_note", { path: "Design/Auth", offset: 5, limit: 10 }],
  ["list_notes", {}],
  ["search_notes", { query: "auth" }],
  ["search_notes", { query: "auth", mode: "meaning" }],
  ["semantic_search", { query: "sign in" }],
  ["find_related", { path: "Design/Auth" }],
  ["get_links", { path: "Home" }],
  ["get_history", { path: "Design/Auth" }],
  ["get_history", { path: "Never Written" }],
  ["get_recent_changes", {}],
  ["find_orphaned_notes", {}],
  ["list_attachments", { path: "Design/Auth" }],
  ["download_attachment", { path: "Design/Auth", filename: "a.txt" }],
  ["download_attachment", { path: "Design/Auth", filename: "a.txt", offset: 1, length: 2 }],
  ["search", { query: "auth" }],
  ["fetch", { id: "Design/Auth" }],
];
