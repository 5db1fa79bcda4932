/**
 * The MCP layer maps wiki errors to tool messages by their codes (lib/errors.ts `code` and `reason`), never by
 * their English text: the exact tool texts per code, real store errors, and errors whose wording would have fooled
 * a text match.
 */
import {
  AlreadyExistsError,
  AmbiguousError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  QuotaExceededError,
  TooLargeError,
  type WikiError,
} from "../../lib/errors.ts";
import { toolError, type ToolText } from "../../lib/mcp/errors.ts";
import { ALICE, setup } from "../wiki/store_helpers.ts";
import { assertEquals, assertOk } from "../assert.ts";

const NOT_FOUND_ADVICE = "Use write_note to create it, or list_notes / search_notes to find the right path.";
const CONFLICT_ADVICE = "Read the page again with read_note to get the current revision, then retry.";

function textOf(r: ToolText): string {
  assertEquals(r.isError, true);
  return r.content[0].text;
}

async function thrown(p: Promise<unknown>): Promise<WikiError> {
  try {
    await p;
  } catch (err) {
    return err as WikiError;
  }
  throw new Error("expected the call to fail");
}

Deno.test("tool errors - each kind of wiki error has its tool message", () => {
  const cases: [WikiError, string][] = [
    [new InvalidInputError("Bad path."), "Invalid request: Bad path."],
    [new NotFoundError("No such revision."), "No such revision."],
    [new ConflictError("The wiki is busy.", null), `Conflict: The wiki is busy. ${CONFLICT_ADVICE}`],
    [new AlreadyExistsError("Target exists."), "Already exists: Target exists."],
    [new AmbiguousError("Two matches."), "Ambiguous: Two matches."],
    [new TooLargeError("Content too large."), "Too large: Content too large."],
    [new QuotaExceededError("1000 pages."), "Quota exceeded: 1000 pages."],
    [new ForbiddenError("Read-only token."), "Not allowed: Read-only token."],
  ];
  for (const [err, text] of cases) assertEquals(textOf(toolError(err)), text, err.code);
});

Deno.test("tool errors - the store's page errors carry codes and map to their tool messages", async () => {
  const f = await setup();
  try {
    const missing = await thrown(f.pages.read("No/Such"));
    assertEquals([missing.code, missing.reason, missing.path], ["not_found", "page_not_found", "No/Such"]);
    assertEquals(textOf(toolError(missing)), `Page not found: No/Such. ${NOT_FOUND_ADVICE}`);

    const first = await f.pages.write("Notes", "one", {}, ALICE);
    const second = await f.pages.write("Notes", "two", { revision: first.revision }, ALICE);
    const stale = await thrown(f.pages.write("Notes", "three", { revision: first.revision }, ALICE));
    assertEquals([stale.code, stale.reason], ["conflict", "revision_conflict"]);
    assertEquals(
      textOf(toolError(stale)),
      `Conflict: Revision mismatch: Notes is at revision ${second.revision.slice(0, 8)}, not ` +
        `${first.revision}. ${CONFLICT_ADVICE}`,
    );
    // The web keeps the generic advice in the message.
    assertOk(stale.message.endsWith("Read the page again to get the current revision, then retry."), stale.message);

    const removed = await f.pages.delete("Notes", {}, ALICE);
    const deleted = await thrown(f.pages.read("Notes"));
    assertEquals(deleted.reason, "page_deleted");
    assertEquals(textOf(toolError(deleted)), `${deleted.message} Use restore_note to bring it back.`);
    const deletedAt = await thrown(f.pages.read("Notes", { revision: removed.revision }));
    assertEquals(deletedAt.reason, "page_deleted");
    assertEquals(textOf(toolError(deletedAt)), `${deletedAt.message} Use restore_note to bring it back.`);
  } finally {
    f.close();
  }
});

Deno.test("tool errors - wording that looks like another error does not change the tool message", async () => {
  const f = await setup();
  try {
    // A page whose path says "was deleted", read at a revision from before it existed: not a deleted page.
    const early = await f.pages.write("Other", "x", {}, ALICE);
    await f.pages.write("Notes was deleted", "y", {}, ALICE);
    const before = await thrown(f.pages.read("Notes was deleted", { revision: early.revision }));
    assertEquals(before.code, "not_found");
    assertEquals(textOf(toolError(before)), before.message);
  } finally {
    f.close();
  }
  // Codes decide, whatever the text says.
  assertEquals(
    textOf(toolError(new NotFoundError("Seite fehlt.", { reason: "page_not_found", path: "A/B" }))),
    `Page not found: A/B. ${NOT_FOUND_ADVICE}`,
  );
  assertEquals(textOf(toolError(new NotFoundError('Page "A" does not exist.'))), 'Page "A" does not exist.');
  assertEquals(
    textOf(toolError(new ConflictError("Stale.", "abc", { reason: "revision_conflict", advice: "Reload it." }))),
    `Conflict: Stale. ${CONFLICT_ADVICE}`,
  );
  assertEquals(
    textOf(toolError(new ConflictError("Busy. Read the page again to get the current revision, then retry.", null))),
    `Conflict: Busy. Read the page again to get the current revision, then retry. ${CONFLICT_ADVICE}`,
  );
});
