/**
 * @module
 * Write tools: write_note, edit_note, rename_note, delete_note, restore_note. Each creates one revision that
 * records the calling client (`mcp:<name>`).
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { ok } from "./errors.ts";
import { formatRename, short } from "./format.ts";
import { actorOf, tool, type WikiTool } from "./tool.ts";

const path = boundedText(ARG_BOUNDS.path).describe('Page path, e.g. "Design/Auth".');
const message = boundedText(ARG_BOUNDS.message).optional().describe(
  "Short description of the change, for the history.",
);

/** The page write tools. */
export const WRITE_TOOLS: WikiTool[] = [
  tool({
    name: "write_note",
    title: "Create or overwrite a note",
    scope: "wiki:write",
    description: "Create a page, or replace a page's whole content. `content` is markdown with optional YAML " +
      "frontmatter (title, category, tags); link pages with [[Path]] or [[Path|text]]. Overwriting an existing " +
      "page requires `revision` (from read_note) so that nobody's change is lost. Prefer edit_note for small " +
      "changes. Limit: 1 MB of content.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: z.object({
      path,
      content: boundedText(ARG_BOUNDS.body).describe("The full new content (markdown)."),
      revision: boundedText(ARG_BOUNDS.revision).optional().describe(
        "Current revision of the page (required when it exists).",
      ),
      commit_message: message,
    }),
    async run({ path, content, revision, commit_message }, ctx) {
      const r = await ctx.pages.write(
        path,
        content,
        { revision: revision || undefined, message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`${r.created ? "Created" : "Updated"} ${r.path} (revision: ${short(r.revision)})`);
    },
  }),
  tool({
    name: "edit_note",
    title: "Edit part of a note",
    scope: "wiki:write",
    description: "Replace one exact piece of text in a page: `old_string` must occur exactly once in the full " +
      "content (frontmatter included; add surrounding text to make it unique); `new_string` replaces it (empty " +
      "deletes it). `revision` is the page's current revision from read_note.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: z.object({
      path,
      revision: boundedText(ARG_BOUNDS.revision).describe("Current revision of the page (id or 7+ char prefix)."),
      old_string: boundedText(ARG_BOUNDS.body).describe("Exact text to replace; must occur exactly once."),
      new_string: boundedText(ARG_BOUNDS.body).describe("Replacement text (empty to delete old_string)."),
      commit_message: message,
    }),
    async run({ path, revision, old_string, new_string, commit_message }, ctx) {
      const r = await ctx.pages.edit(
        path,
        { revision, oldString: old_string, newString: new_string, message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`Edited ${r.path} (revision: ${short(r.revision)})`);
    },
  }),
  tool({
    name: "rename_note",
    title: "Rename a note",
    scope: "wiki:write",
    description: "Move a page to a new path and rewrite every [[WikiLink]] to it, in one change. Only rename " +
      "when the user asked for it.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    cutHint: "The rename is done. get_links on the new path lists every page that links to it (in parts).",
    input: z.object({
      path,
      new_path: boundedText(ARG_BOUNDS.path).describe("The new page path."),
      commit_message: message,
    }),
    async run({ path, new_path, commit_message }, ctx) {
      const r = await ctx.pages.rename(
        path,
        new_path,
        { message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(formatRename(r));
    },
  }),
  tool({
    name: "delete_note",
    title: "Delete a note",
    scope: "wiki:write",
    description: "Delete a page. Its history is kept and restore_note brings it back, but confirm with the user " +
      "before deleting anything. `revision`, when given, must be the page's current revision.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: z.object({
      path,
      revision: boundedText(ARG_BOUNDS.revision).optional().describe(
        "Current revision of the page (optional safety check).",
      ),
      commit_message: message,
    }),
    async run({ path, revision, commit_message }, ctx) {
      const r = await ctx.pages.delete(
        path,
        { revision: revision || undefined, message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`Deleted ${r.path} (revision: ${short(r.revision)})`);
    },
  }),
  tool({
    name: "restore_note",
    title: "Restore a note",
    scope: "wiki:write",
    description: "Bring back an older state of a page as a new revision: the state at `revision` (from " +
      "get_history), or, without one, the last content before the page was deleted.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: z.object({
      path,
      revision: boundedText(ARG_BOUNDS.revision).optional().describe("Revision to restore (id or 7+ char prefix)."),
      commit_message: message,
    }),
    async run({ path, revision, commit_message }, ctx) {
      const r = await ctx.pages.restore(
        path,
        { revision: revision || undefined, message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`Restored ${r.path} (revision: ${short(r.revision)})`);
    },
  }),
];
