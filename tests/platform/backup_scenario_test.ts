/**
 * Service backup and restore (issue 13 item 5): a populated service (people signed in, wikis made on the dashboard,
 * members, a wiki token, OAuth clients with grants and tokens, pages with several revisions, a page and an
 * attachment over 64 KiB stored as chunked blobs, a deleted wiki's tombstone, rate counters, a used authorization
 * code) is backed up to a file, restored into a fresh store, and every record is compared: all kept records are
 * identical (key and value), the skipped types (rate counters, one-time codes) are absent, expiring records are
 * written with `expireIn` up to the expiry in their value, records already expired are left out, and the restored
 * store serves the same wiki to the same token.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { connectApp, location, mcpCall, ORIGIN, setup, unescapeHtml } from "../app/helpers.ts";
import { appFixture } from "../fixture/app.ts";
import { writeBackup } from "../../lib/kv/backup/backup.ts";
import { encodeKey } from "../../lib/kv/backup/codec.ts";
import { restoreBackup } from "../../lib/kv/backup/restore.ts";
import { BACKUP_RULES, backupRuleOf } from "../../lib/platform/key_registry.ts";

/** Every entry of a store, keyed by its encoded key. */
async function dump(kv: Deno.Kv): Promise<Map<string, { key: Deno.KvKey; value: unknown }>> {
  const out = new Map<string, { key: Deno.KvKey; value: unknown }>();
  for await (const e of kv.list({ prefix: [] })) {
    out.set(JSON.stringify(encodeKey(e.key)), { key: e.key, value: e.value });
  }
  return out;
}

/** A store that records the `expireIn` of every set made through atomic operations (key -> expireIn or null). */
function recordingExpiry(kv: Deno.Kv, seen: Map<string, number | null>): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          return new Proxy(op, {
            get(o, p) {
              if (p === "set") {
                return (key: Deno.KvKey, value: unknown, opts?: { expireIn?: number }) => {
                  seen.set(JSON.stringify(encodeKey(key)), opts?.expireIn ?? null);
                  o.set(key, value, opts);
                  return o;
                };
              }
              const v = Reflect.get(o, p);
              return typeof v === "function" ? v.bind(o) : v;
            },
          });
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("backup scenario - a populated service round-trips through a backup file into a fresh store", async () => {
  const f = await setup({ wikisPerUser: 3 });
  const dir = await Deno.makeTempDir();
  const restored = await Deno.openKv(":memory:");
  try {
    // People, wikis, members, a deleted wiki (its slug's tombstone expires), a wiki token, OAuth apps.
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    assertEquals((await alice.post("/app/wikis", { slug: "alice" })).status, 303);
    assertEquals((await alice.post("/app/wikis", { slug: "scratch" })).status, 303);
    assertEquals(
      location(await alice.post("/app/wikis/scratch/delete", { confirm: "scratch" })),
      "/app/?notice=wiki-deleted",
    );
    await f.wikiOf("bob.test", "bobs");
    assertEquals((await alice.post("/app/wikis/alice/members", { handle: "bob.test", role: "editor" })).status, 303);
    const minted = await alice.post("/app/wikis/alice/tokens", { label: "cli" });
    const token = /<code>(rwtf_[A-Za-z0-9_-]+)<\/code>/.exec(unescapeHtml(await alice.page(location(minted))))![1];
    const oauth = await connectApp(f.app, "alice", alice.did);
    await connectApp(f.app, "bobs", bob.did);

    // Pages with revisions, a page and an attachment over 64 KiB (chunked blobs), through MCP (rate counters too).
    const mcp = "http://alice.localhost:8000/mcp";
    const big = Array.from({ length: 150_000 }, (_, i) => String.fromCharCode(i % 251)).join("");
    const calls: [string, string, Record<string, unknown>][] = [
      [token, "write_note", { path: "Notes/One", content: "First version, links to [[Notes/Two]]." }],
      [oauth, "write_note", { path: "Notes/Two", content: "ü ".repeat(60_000) }],
      [oauth, "upload_attachment", { path: "Notes/One", filename: "big.bin", content: btoa(big) }],
    ];
    const bodies: string[] = [];
    for (const [credential, tool, args] of calls) {
      const res = await mcpCall(f.app, mcp, credential, tool, args);
      const body = await res.text();
      assertEquals(res.status, 200, body);
      assertOk(!body.includes('"isError":true'), body);
      bodies.push(body);
    }
    const revision = /\(revision: ([0-9a-f]+)\)/.exec(bodies[0])![1];
    const second = { path: "Notes/One", content: "Second version, links to [[Notes/Two]] and [[Home]].", revision };
    const edited = await (await mcpCall(f.app, mcp, token, "write_note", second)).text();
    assertOk(edited.includes("Updated Notes/One"), edited);
    // A record that expired but is still readable (KV collects expired keys late), and one of a type nothing
    // registers, holding every value type KV can store: both are handled, neither silently.
    const now = Date.now();
    await f.kv.set(["session", "expired-hash"], { did: alice.did, expiresAt: now - 1000 }, { expireIn: 60_000 });
    const exotic = {
      when: new Date(now),
      map: new Map([["k", 1n]]),
      set: new Set([1]),
      counter: new Deno.KvU64(7n),
      bytes: new Uint8Array([1, 2]),
    };
    await f.kv.set(["test_exotic", 1n, true, new Uint8Array([9])], exotic);

    const before = await dump(f.kv);
    const types = new Set([...before.values()].map((e) => String(e.key[0])));
    for (const t of ["rate", "oauth_code", "blob", "oauth_grant", "oauth_access", "session", "wiki_token_hash"]) {
      assertOk(types.has(t), `the scenario wrote ${t} records`);
    }

    // Back up to a file, restore it into a fresh store.
    const file = `${dir}/service.jsonl.gz`;
    const result = await writeBackup(f.kv, (await Deno.create(file)).writable, backupRuleOf);
    assertOk((result.skipped.rate ?? 0) > 0 && (result.skipped.oauth_code ?? 0) > 0, JSON.stringify(result.skipped));
    assertEquals(result.unregistered, { test_exotic: 1 });
    const expiries = new Map<string, number | null>();
    const restoredAt = Date.now();
    const r = await restoreBackup(recordingExpiry(restored, expiries), async () => (await Deno.open(file)).readable);
    assertEquals(r.expired, 1, "the expired session is not restored");

    // Every record but the skipped and the expired ones is identical; nothing else is there (no marker either).
    const after = await dump(restored);
    const expected = [...before].filter(([k, e]) => {
      const rule = backupRuleOf(String(e.key[0]));
      if (rule && !rule.keep) return false;
      return k !== JSON.stringify(encodeKey(["session", "expired-hash"]));
    });
    assertEquals([...after.keys()].sort(), expected.map(([k]) => k).sort());
    for (const [k, e] of expected) assertEquals(after.get(k)!.value, e.value, k);
    assertEquals(r.written, expected.length);
    const skippedTypes = Object.entries(BACKUP_RULES).filter(([, rule]) => !rule.keep).map(([t]) => t);
    assertEquals([...after.values()].filter((e) => skippedTypes.includes(String(e.key[0]))), []);

    // Expiring records were written with expireIn up to the expiry their value names; permanent ones without.
    let expiring = 0;
    for (const [k, e] of expected) {
      const rule = backupRuleOf(String(e.key[0]));
      const at = rule && rule.keep ? rule.expiresAt(e.value) : null;
      const expireIn = expiries.get(k);
      if (at === null) {
        assertEquals(expireIn, null, `${k} is permanent`);
        continue;
      }
      expiring++;
      assertOk(typeof expireIn === "number", `${k} expires`);
      const deletion = restoredAt + expireIn;
      assertOk(Math.abs(deletion - at) < 10_000, `${k}: expires at ${deletion}, value says ${at}`);
    }
    assertOk(expiring >= 10, `expiring records checked: ${expiring}`);
    // Independently of the rules: every record whose value names an expiry was restored with one.
    for (const [k, e] of expected) {
      const at = (e.value as { expiresAt?: unknown } | null)?.expiresAt;
      if (typeof at === "number") {
        assertOk(typeof expiries.get(k) === "number", `${k} names an expiry: restored with one`);
      }
    }
    // What people made is all there (independently of the rules too).
    const restoredTypes = new Set([...after.values()].map((e) => String(e.key[0])));
    for (
      const t of ["secret", "wiki", "wiki_slug", "page", "page_hist", "rev", "change", "link", "att", "blob", "user"]
        .concat(["wiki_member", "wiki_token_hash", "oauth_client", "oauth_grant", "oauth_access", "oauth_refresh"])
        .concat(["session", "user_session"])
    ) assertOk(restoredTypes.has(t), `${t} records restored`);
    const tombstone = after.get(JSON.stringify(encodeKey(["wiki_slug", "scratch"])))!.value as {
      reclaimableAt: number;
    };
    assertOk(
      typeof tombstone.reclaimableAt === "number" &&
        expiries.get(JSON.stringify(encodeKey(["wiki_slug", "scratch"])))! > 29 * 86_400_000,
    );

    // The restored store serves the same wiki to the same token (its secrets and records came back).
    const again = await appFixture({ kv: restored, addressing: "subdomain", config: { publicOrigin: ORIGIN } });
    try {
      const res = await mcpCall(again.app, mcp, token, "read_note", { path: "Notes/One" });
      const body = await res.text();
      assertEquals(res.status, 200, body);
      assertOk(body.includes("Second version"), body.slice(0, 300));
      const two = await (await mcpCall(again.app, mcp, oauth, "read_note", { path: "Notes/Two" })).text();
      assertOk(two.includes("ü ü ü"), "the page stored as a blob reads back");
      const att = await mcpCall(again.app, mcp, oauth, "download_attachment", {
        path: "Notes/One",
        filename: "big.bin",
      });
      assertOk((await att.text()).includes(btoa(big).slice(0, 200)), "the chunked attachment reads back");
    } finally {
      await again.close();
    }
  } finally {
    f.close();
    restored.close();
    await Deno.remove(dir, { recursive: true });
  }
});
