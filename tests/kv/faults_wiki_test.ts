/**
 * KV faults on page writes, renames and deletes, from the browser and over MCP (issue 9 item 9). Each operation is
 * run once healthy to count its KV calls; then each call in turn fails (before it does anything, and for a write
 * also after it was applied: a lost answer). Every failure must answer 503 (a readable page, or a JSON-RPC error on
 * /mcp) leaking nothing, leave the wiki consistent (the whole change or none of it: content, history, catalog,
 * search and backlinks agree), and the operation must complete once the store recovers.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { type EditFixture, editToken, setupEdit } from "../routes/wiki/edit/helpers.ts";
import { mcpCall } from "../app/helpers.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { type FaultController, faultyKv } from "./faulty_kv.ts";
import { assertUnavailable, assertWikiConsistent, type Point, sweepFaults } from "./fault_helpers.ts";

const actor = { id: "local:t", name: "t", client: "cli" };

interface WikiFault extends EditFixture {
  faults: FaultController;
  /** The store underneath the faults (for inspection). */
  raw: Deno.Kv;
  /** A read-write MCP token of the wiki. */
  mcpToken: string;
  /** CSRF token of the edit forms. */
  csrf: string;
  /** Revisions written by `prepare`, by path. */
  revs: Record<string, string>;
  /** Secrets a response must not contain. */
  secrets: string[];
}

/** The edit fixture on a faulty store, with pages written by `pages` and a form's CSRF token. */
async function wikiFault(pages: Record<string, string>, formPath: string): Promise<WikiFault> {
  let faults!: FaultController;
  let raw!: Deno.Kv;
  const f = await setupEdit("path", {}, (kv) => {
    raw = kv;
    const w = faultyKv(kv);
    faults = w.faults;
    return w.kv;
  });
  const revs: Record<string, string> = {};
  for (const [path, text] of Object.entries(pages)) revs[path] = (await f.pages.write(path, text, {}, actor)).revision;
  const token = (await createWikiTokens({ kv: f.app.deps.kv, keys: f.app.deps.keys }).create(f.wiki, {
    label: "agent",
  })).token;
  const csrf = editToken(await (await f.get(formPath)).text())!;
  const keyring = (await Array.fromAsync(raw.list<unknown>({ prefix: ["secret"] }))).map((e) =>
    JSON.stringify(e.value)
  );
  return {
    ...f,
    faults,
    raw,
    mcpToken: token,
    csrf,
    revs,
    secrets: [token, f.cookies.alice, csrf, ...keyMaterial(keyring)],
  };
}

/** Key material strings found in the key registry's records (long base64/hex runs). */
function keyMaterial(records: string[]): string[] {
  return records.flatMap((r) => r.match(/[A-Za-z0-9_+/=-]{32,}/g) ?? []);
}

function mcp(f: WikiFault, name: string, args: Record<string, unknown>): Promise<Response> {
  return mcpCall(f.app, f.app.deps.urls.mcp("alice"), f.mcpToken, name, args);
}

/** Asserts a healthy MCP tool call. */
async function mcpOk(res: Response): Promise<void> {
  const text = await res.text();
  assertEquals(res.status, 200, text.slice(0, 300));
  const body = JSON.parse(text);
  assertOk(body.result && body.result.isError !== true, `tool failed: ${text.slice(0, 300)}`);
}

/** The answer to a failed browser form post: the 503 page, or the success redirect when the fault was tolerated. */
async function browserAnswer(f: WikiFault, res: Response, p: Point): Promise<void> {
  if (res.status === 503) await assertUnavailable(res, "page", f.secrets, p.label);
  else await res.body?.cancel();
}

/** The answer to a failed MCP call: the JSON-RPC 503, or the tool's success when the fault was tolerated. */
async function mcpAnswer(f: WikiFault, res: Response, p: Point): Promise<void> {
  if (res.status === 503) await assertUnavailable(res, "rpc", f.secrets, p.label);
  else await mcpOk(res);
}

// ---- page write -------------------------------------------------------------------------------------------------

const V1 = "Plan one, see [[Alpha]].\n";
const V2 = "Plan two zebraword, see [[Beta]].\n";

/** The write happened completely or not at all; returns whether it happened. */
async function writeState(f: WikiFault, label: string): Promise<boolean> {
  await assertWikiConsistent(f.raw, f.wiki.id, label);
  const text = (await f.pages.read("Plan")).content;
  assertOk(text === V1 || text === V2, `${label}: Plan holds ${JSON.stringify(text)}`);
  const done = text === V2;
  assertEquals((await f.pages.history("Plan")).length, done ? 2 : 1, `${label}: history`);
  const hits = (await f.pages.search("zebraword")).hits.map((h) => h.path);
  assertEquals(hits, done ? ["Plan"] : [], `${label}: search`);
  assertEquals((await f.pages.links("Beta")).linkedFrom, done ? ["Plan"] : [], `${label}: backlinks of Beta`);
  assertEquals((await f.pages.links("Alpha")).linkedFrom, done ? [] : ["Plan"], `${label}: backlinks of Alpha`);
  assertEquals((await f.pages.list()).map((p) => p.path), ["Plan"], `${label}: list`);
  return done;
}

Deno.test("KV faults - browser page save: 503 page at every failing call, all or nothing, saves after recovery", async () => {
  const save = (f: WikiFault) =>
    f.post("/-/edit/Plan", { csrf: f.csrf, revision: f.revs.Plan, content: V2, message: "", action: "save" });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault({ Plan: V1 }, "/-/edit/Plan"),
    run: save,
    healthy: async (res) => {
      assertEquals(res.status, 303, await res.text());
    },
    isHealthy: (res) => res.status === 303,
    afterFailure: (f, res, p) => browserAnswer(f, res, p),
    async retry(f, p) {
      if (!(await writeState(f, p.label))) {
        const again = await save(f);
        assertEquals(again.status, 303, `${p.label}: the retry`);
        assertOk(await writeState(f, `${p.label}, after the retry`), `${p.label}: the retry saved nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

Deno.test("KV faults - MCP write_note: JSON-RPC 503 at every failing call, all or nothing, writes after recovery", async () => {
  const write = (f: WikiFault) => mcp(f, "write_note", { path: "Plan", content: V2, revision: f.revs.Plan });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault({ Plan: V1 }, "/-/edit/Plan"),
    run: write,
    healthy: mcpOk,
    isHealthy: (res) => res.status === 200,
    afterFailure: (f, res, p) => mcpAnswer(f, res, p),
    async retry(f, p) {
      if (!(await writeState(f, p.label))) {
        await mcpOk(await write(f));
        assertOk(await writeState(f, `${p.label}, after the retry`), `${p.label}: the retry wrote nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

// ---- rename -----------------------------------------------------------------------------------------------------

const RENAME_PAGES = { "Old": "The page.\n", "Linker": "See [[Old]].\n" };

/** The rename happened completely or not at all; returns whether it happened. */
async function renameState(f: WikiFault, label: string): Promise<boolean> {
  const live = await assertWikiConsistent(f.raw, f.wiki.id, label);
  const done = live.has("New");
  assertEquals([...live.keys()].sort(), done ? ["Linker", "New"] : ["Linker", "Old"], `${label}: live pages`);
  assertEquals((await f.pages.read("Linker")).content, done ? "See [[New]].\n" : "See [[Old]].\n", `${label}: link`);
  assertEquals((await f.pages.links(done ? "New" : "Old")).linkedFrom, ["Linker"], `${label}: backlinks`);
  assertEquals((await f.pages.links(done ? "Old" : "New")).linkedFrom, [], `${label}: backlinks of the other path`);
  assertEquals((await f.pages.list()).map((p) => p.path), done ? ["Linker", "New"] : ["Linker", "Old"], label);
  assertEquals((await f.pages.read(done ? "New" : "Old")).content, "The page.\n", `${label}: content`);
  return done;
}

Deno.test("KV faults - browser rename: 503 page at every failing call, all or nothing, renames after recovery", async () => {
  const rename = (f: WikiFault) => f.post("/-/rename/Old", { csrf: f.csrf, to: "New" });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault(RENAME_PAGES, "/-/rename/Old"),
    run: rename,
    healthy: async (res) => {
      assertEquals(res.status, 303, await res.text());
    },
    isHealthy: (res) => res.status === 303,
    afterFailure: (f, res, p) => browserAnswer(f, res, p),
    async retry(f, p) {
      if (!(await renameState(f, p.label))) {
        assertEquals((await rename(f)).status, 303, `${p.label}: the retry`);
        assertOk(await renameState(f, `${p.label}, after the retry`), `${p.label}: the retry renamed nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

Deno.test("KV faults - MCP rename_note: JSON-RPC 503 at every failing call, all or nothing, renames after recovery", async () => {
  const rename = (f: WikiFault) => mcp(f, "rename_note", { path: "Old", new_path: "New" });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault(RENAME_PAGES, "/-/rename/Old"),
    run: rename,
    healthy: mcpOk,
    isHealthy: (res) => res.status === 200,
    afterFailure: (f, res, p) => mcpAnswer(f, res, p),
    async retry(f, p) {
      if (!(await renameState(f, p.label))) {
        await mcpOk(await rename(f));
        assertOk(await renameState(f, `${p.label}, after the retry`), `${p.label}: the retry renamed nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

// ---- delete -----------------------------------------------------------------------------------------------------

const DELETE_PAGES = { "Doomed": "Going, see [[Target]].\n", "Target": "Stays.\n" };

/** The delete happened completely or not at all; returns whether it happened. */
async function deleteState(f: WikiFault, label: string): Promise<boolean> {
  const live = await assertWikiConsistent(f.raw, f.wiki.id, label);
  const done = !live.has("Doomed");
  assertEquals((await f.pages.list()).map((p) => p.path), done ? ["Target"] : ["Doomed", "Target"], `${label}: list`);
  assertEquals((await f.pages.links("Target")).linkedFrom, done ? [] : ["Doomed"], `${label}: backlinks`);
  assertEquals(await f.pages.meta("Doomed") === null, done, `${label}: meta`);
  const hist = await f.pages.history("Doomed");
  assertEquals(hist.length, done ? 2 : 1, `${label}: history`);
  return done;
}

Deno.test("KV faults - browser delete: 503 page at every failing call, all or nothing, deletes after recovery", async () => {
  const del = (f: WikiFault) => f.post("/-/delete/Doomed", { csrf: f.csrf, revision: f.revs.Doomed });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault(DELETE_PAGES, "/-/delete/Doomed"),
    run: del,
    healthy: async (res) => {
      assertEquals(res.status, 303, await res.text());
    },
    isHealthy: (res) => res.status === 303,
    afterFailure: (f, res, p) => browserAnswer(f, res, p),
    async retry(f, p) {
      if (!(await deleteState(f, p.label))) {
        assertEquals((await del(f)).status, 303, `${p.label}: the retry`);
        assertOk(await deleteState(f, `${p.label}, after the retry`), `${p.label}: the retry deleted nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

Deno.test("KV faults - MCP delete_note: JSON-RPC 503 at every failing call, all or nothing, deletes after recovery", async () => {
  const del = (f: WikiFault) => mcp(f, "delete_note", { path: "Doomed", revision: f.revs.Doomed });
  const r = await sweepFaults<WikiFault>({
    setup: () => wikiFault(DELETE_PAGES, "/-/delete/Doomed"),
    run: del,
    healthy: mcpOk,
    isHealthy: (res) => res.status === 200,
    afterFailure: (f, res, p) => mcpAnswer(f, res, p),
    async retry(f, p) {
      if (!(await deleteState(f, p.label))) {
        await mcpOk(await del(f));
        assertOk(await deleteState(f, `${p.label}, after the retry`), `${p.label}: the retry deleted nothing`);
      }
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});
