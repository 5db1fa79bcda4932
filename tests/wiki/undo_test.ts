/**
 * Undo an agent (lib/wiki/undo.ts): an OAuth connection creates, edits, renames and deletes pages; a person then
 * edits one of them. The plan lists every page with what will happen, the person's page as refused; applying it
 * reverts the rest in one new revision, and leaves the person's page and the agent's earlier changes alone.
 */
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ALICE, assertBacklinkIndexConsistent, setup } from "./store_helpers.ts";
import { applyUndo, planUndo } from "../../lib/wiki/undo.ts";
import { madeBy, oauthConnection, tokenConnection } from "../../lib/wiki/connections.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../lib/errors.ts";
import type { Actor } from "../../lib/wiki/types.ts";

const GRANT = oauthConnection("g_agent");
const AGENT: Actor = { id: ALICE.id, name: "Claude", client: "mcp:Claude", connection: GRANT };
const OTHER_AGENT: Actor = { id: ALICE.id, name: "Claude", client: "mcp:Claude", connection: oauthConnection("g_2") };

Deno.test("undo: plan lists the agent's pages, refuses the one a person changed after; apply reverts the rest", async () => {
  const f = await setup();
  try {
    const p = f.pages;
    const notes = await p.write("Notes", "version one", {}, ALICE);
    await p.write("Other", "the other page", {}, ALICE);
    await p.write("Old", "See [[Other]].", {}, ALICE);
    const plans = await p.write("Plans", "plan A", {}, ALICE);
    await p.write("Gone", "keep me", {}, ALICE);
    const early = await p.write("Early", "before", {}, ALICE);
    f.clock.t += 1000;
    await p.write("Early", "agent before the time", { revision: early.revision }, AGENT);
    f.clock.t += 60_000;
    const since = f.clock.t;
    f.clock.t += 1000;
    await p.write("Agent page", "made by the agent", {}, AGENT);
    await p.write("Notes", "version two", { revision: notes.revision }, AGENT);
    await p.rename("Other", "Renamed", {}, AGENT);
    const agentPlans = await p.write("Plans", "plan B", { revision: plans.revision }, AGENT);
    await p.delete("Gone", {}, AGENT);
    await p.write("Unrelated", "another connection", {}, OTHER_AGENT);
    f.clock.t += 1000;
    await p.write("Plans", "plan C by a person", { revision: agentPlans.revision }, ALICE);

    const plan = await planUndo(f.deps, f.wiki, GRANT, since);
    assertEquals(plan.revisions, 5);
    assertEquals(plan.name, "Claude");
    assertEquals(plan.items.map((i) => [i.path, i.kind, i.to]), [
      ["Agent page", "delete", "Agent page"],
      ["Gone", "undelete", "Gone"],
      ["Notes", "restore", "Notes"],
      ["Old", "restore", "Old"],
      ["Renamed", "rename-back", "Other"],
    ]);
    assertEquals(plan.refused.map((r) => r.path), ["Plans"]);
    assertOk(plan.refused[0].reason.includes("alice.test"), plan.refused[0].reason);
    // Planning changes nothing.
    assertEquals((await p.read("Notes")).content, "version two");

    const changesBefore = (await p.recentChanges(100)).length;
    const result = await applyUndo(f.deps, f.wiki, GRANT, since, ALICE, { expect: plan.fingerprint });
    assertEquals(result.reverted.map((i) => i.path), plan.items.map((i) => i.path));
    assertEquals((await p.recentChanges(100)).length, changesBefore + 1, "one new revision");
    const rev = await p.resolveRevision(result.revision);
    assertEquals([rev.action, rev.author, rev.client], ["restore", ALICE.id, "web"]);

    await assertRejects(() => p.read("Agent page"), NotFoundError);
    assertEquals((await p.read("Notes")).content, "version one");
    assertEquals((await p.read("Other")).content, "the other page");
    assertEquals(await p.meta("Renamed"), null);
    assertEquals((await p.read("Old")).content, "See [[Other]].");
    assertEquals((await p.read("Gone")).content, "keep me");
    assertEquals((await p.read("Plans")).content, "plan C by a person");
    assertEquals((await p.read("Unrelated")).content, "another connection");
    assertEquals((await p.read("Early")).content, "agent before the time");
    for (const path of ["Notes", "Other", "Old", "Gone"]) {
      const [latest, previous] = await p.history(path, 2);
      assertEquals(latest.revision.id, result.revision, path);
      assertOk(madeBy(previous.revision, GRANT), `${path}: the agent's revision stays in the history`);
    }
    assertEquals((await p.links("Other")).linkedFrom, ["Old"]);
    await assertBacklinkIndexConsistent(f.kv, f.wiki.id);

    // Again: the pages were changed since by the undo itself, so nothing is left to revert.
    await assertRejects(() => applyUndo(f.deps, f.wiki, GRANT, since, ALICE), InvalidInputError);
  } finally {
    f.close();
  }
});

Deno.test("undo: a plan reviewed before another change is refused, and nothing changes", async () => {
  const f = await setup();
  try {
    const since = f.clock.t;
    await f.pages.write("A", "agent", {}, AGENT);
    const plan = await planUndo(f.deps, f.wiki, GRANT, since);
    assertEquals(plan.items.map((i) => i.kind), ["delete"]);
    const a = await f.pages.read("A");
    await f.pages.write("A", "agent again", { revision: a.revision }, AGENT);
    await assertRejects(
      () => applyUndo(f.deps, f.wiki, GRANT, since, ALICE, { expect: plan.fingerprint }),
      ConflictError,
      "changed since you reviewed",
    );
    assertEquals((await f.pages.read("A")).content, "agent again");
    const again = await planUndo(f.deps, f.wiki, GRANT, since);
    await applyUndo(f.deps, f.wiki, GRANT, since, ALICE, { expect: again.fingerprint });
    assertEquals(await f.pages.meta("A"), null);
  } finally {
    f.close();
  }
});

Deno.test("undo: a connection with no changes plans nothing; token writes made before `connection` still match", () => {
  const tok = tokenConnection("tok_abc");
  assertOk(madeBy({ author: "token:tok_abc" }, tok));
  assertOk(!madeBy({ author: "token:tok_abc", connection: "oauth:g" }, tok));
  assertOk(!madeBy({ author: ALICE.id }, GRANT));
  assertOk(madeBy({ author: ALICE.id, connection: GRANT }, GRANT));
});

Deno.test("undo: nothing to undo is a clear error", async () => {
  const f = await setup();
  try {
    await f.pages.write("A", "person", {}, ALICE);
    const plan = await planUndo(f.deps, f.wiki, GRANT, 0);
    assertEquals([plan.revisions, plan.items.length, plan.refused.length], [0, 0, 0]);
    await assertRejects(() => applyUndo(f.deps, f.wiki, GRANT, 0, ALICE), InvalidInputError, "changed nothing");
  } finally {
    f.close();
  }
});
