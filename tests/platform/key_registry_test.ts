/**
 * The KV key registry (issue 10): every part registers its prefixes, no type is registered twice (createApp refuses
 * to start otherwise), and docs/kv-schema.md documents exactly the registered prefixes.
 */
import { assertEquals, assertThrows } from "../assert.ts";
import {
  BACKUP_RULES,
  backupRuleOf,
  checkBackupRules,
  checkKeyRegistry,
  KEY_PREFIXES,
} from "../../lib/platform/key_registry.ts";

/** Record types docs/kv-schema.md names as keys: the first part of every backticked key, e.g. `["page", …]`. */
async function documentedTypes(): Promise<Set<string>> {
  const doc = await Deno.readTextFile(new URL("../../docs/kv-schema.md", import.meta.url));
  return new Set([...doc.matchAll(/`\["([^"`]+)"/g)].map((m) => m[1]));
}

Deno.test("key registry - no type registered twice; a duplicate is refused with its name", () => {
  checkKeyRegistry();
  const types = KEY_PREFIXES.map((p) => p.type);
  assertEquals(new Set(types).size, types.length);
  const dup = { type: "page", scope: "wiki", description: "a second owner of page keys" } as const;
  assertThrows(() => checkKeyRegistry([...KEY_PREFIXES, dup]), Error, 'KV key prefix "page" is registered twice');
});

Deno.test("key registry - every registered prefix is documented in docs/kv-schema.md, and no other", async () => {
  const documented = await documentedTypes();
  const registered = new Set(KEY_PREFIXES.map((p) => p.type));
  assertEquals([...registered].filter((t) => !documented.has(t)).sort(), [], "registered but not documented");
  assertEquals([...documented].filter((t) => !registered.has(t)).sort(), [], "documented but not registered");
});

Deno.test("key registry - every prefix says whose data it holds and what it is", () => {
  for (const p of KEY_PREFIXES) {
    assertEquals(["wiki", "user", "global"].includes(p.scope), true, p.type);
    assertEquals(p.description.length > 10 && !p.description.includes("\n"), true, p.type);
  }
});

Deno.test("key registry - every registered prefix declares its backup rule; a new one without a rule is refused", () => {
  checkBackupRules();
  assertEquals(Object.keys(BACKUP_RULES).sort(), KEY_PREFIXES.map((p) => p.type).sort());
  const fresh = { type: "import_job", scope: "wiki", description: "an import being staged" } as const;
  assertThrows(
    () => checkBackupRules([...KEY_PREFIXES, fresh]),
    Error,
    'KV key prefix "import_job" has no backup rule',
  );
  assertThrows(
    () => checkBackupRules(KEY_PREFIXES.filter((p) => p.type !== "rate")),
    Error,
    'backup rule for "rate", which no part registers',
  );
  assertEquals(backupRuleOf("constructor"), undefined);
});

Deno.test("key registry - rate counters and one-time codes are skipped; what people made is kept", () => {
  const skipped = Object.entries(BACKUP_RULES).filter(([, r]) => !r.keep).map(([t]) => t).sort();
  assertEquals(skipped, [
    "app_flash",
    "app_heartbeat",
    "atproto_state",
    "handoff",
    "healthz",
    "import_upload",
    "login_transfer",
    "oauth_code",
    "oauth_consent",
    "rate",
    "remote_job",
    "restore_marker",
  ]);
  for (const r of Object.values(BACKUP_RULES)) if (!r.keep) assertEquals(r.why.length > 5, true);
});

Deno.test("key registry - docs/kv-schema.md lists the backup rule of every type as the code has it", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/kv-schema.md", import.meta.url));
  const section = doc.slice(doc.indexOf("## Backup and restore"), doc.indexOf("## ATProto OAuth client"));
  const rows = section.split("\n").filter((l) => /^\| (kept|skipped)/.test(l));
  const documented: Record<string, boolean> = {};
  for (const row of rows) {
    const types = [...row.split("|")[2].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((t) => t in BACKUP_RULES);
    for (const t of types) documented[t] = row.startsWith("| kept");
  }
  const actual = Object.fromEntries(Object.entries(BACKUP_RULES).map(([t, r]) => [t, r.keep]));
  assertEquals(documented, actual);
});
