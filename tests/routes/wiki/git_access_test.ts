/**
 * Access to `{wiki}/wiki.git` (lib/git/endpoint.ts), like the MCP endpoint: public wikis without credentials; a
 * private wiki's 401 Basic challenge, then a wiki token as the password (any user name) or as a Bearer token; a
 * token of another wiki 403; and bad requests answered with git-protocol errors or 4xx, never a 500.
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { type AppFixture, appFixture } from "../../fixture/app.ts";
import type { Actor } from "../../../lib/wiki/types.ts";
import { git, gitAvailable, gitOk } from "../../git/git_cli.ts";
import { GIT_RULE } from "../../../lib/git/endpoint.ts";

const OWNER: Actor = { id: "did:plc:alice", name: "alice.test", client: "web" };
const HAS_GIT = gitAvailable();
const V2 = { "git-protocol": "version=2" };

async function fixture(): Promise<AppFixture> {
  return await appFixture({
    serve: true,
    config: (port) => ({ publicOrigin: `http://localhost:${port}` }),
    wikis: [
      { slug: "alice", ownerDid: OWNER.id, visibility: "private", actor: OWNER },
      { slug: "bob", ownerDid: "did:plc:bob", visibility: "private", actor: { ...OWNER, id: "did:plc:bob" } },
      { slug: "open", ownerDid: OWNER.id, visibility: "public", actor: OWNER },
    ],
  });
}

function basic(password: string, user = "anything"): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

Deno.test("git access: a private wiki answers 401 with a Basic challenge; tokens of this wiki pass, others 403", async () => {
  const f = await fixture();
  try {
    const refs = (slug: string, headers: Record<string, string> = {}) =>
      f.fetch(`http://localhost:${f.port}/w/${slug}/wiki.git/info/refs?service=git-upload-pack`, {
        headers: { ...V2, ...headers },
      });
    const none = await refs("alice");
    assertEquals(none.status, 401);
    assertEquals(none.headers.get("www-authenticate"), 'Basic realm="robot.wtf"');
    await none.body?.cancel();
    const { token } = await f.app.deps.tokens.create(f.wikis.alice, { label: "laptop", readOnly: true });
    const { token: bobs } = await f.app.deps.tokens.create(f.wikis.bob, { label: "bob" });
    for (const auth of [basic(token), basic(token, ""), `Bearer ${token}`]) {
      const ok = await refs("alice", { authorization: auth });
      assertEquals(ok.status, 200, auth);
      assertIncludes(await ok.text(), "version 2");
    }
    const other = await refs("alice", { authorization: basic(bobs) });
    assertEquals(other.status, 403);
    assertIncludes(await other.text(), "another wiki");
    const wrong = await refs("alice", { authorization: basic("rwtf_not-a-real-token") });
    assertEquals(wrong.status, 401);
    await wrong.body?.cancel();
    const open = await refs("open");
    assertEquals(open.status, 200, "a public wiki needs no credentials");
    await open.body?.cancel();
    const missing = await refs("nobody-here");
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("git access: bad requests get ERR packets or 4xx, never a 500", async () => {
  const f = await fixture();
  try {
    const base = `http://localhost:${f.port}/w/open/wiki.git`;
    const post = (body: string, headers: Record<string, string> = V2) =>
      f.fetch(`${base}/git-upload-pack`, { method: "POST", body, headers });
    const cases: [string, Response][] = [
      ["garbage", await post("hello world")],
      ["no command", await post("0000")],
      ["unknown command", await post("0014command=push\n0000")],
      ["unknown want", await post(`0012command=fetch\n0001${pktLine(`want ${"a".repeat(40)}\n`)}0009done\n0000`)],
      ["shallow", await post(`0012command=fetch\n0001${pktLine("deepen 1\n")}0000`)],
      ["protocol v0", await post("0000", {})],
    ];
    for (const [what, res] of cases) {
      assertEquals(res.status, 200, what);
      const text = await res.text();
      assertOk(/^[0-9a-f]{4}ERR /.test(text), `${what}: ${text}`);
    }
    const push = await f.fetch(`${base}/info/refs?service=git-receive-pack`, { headers: V2 });
    assertEquals(push.status, 403);
    assertIncludes(await push.text(), "read-only");
    const dumb = await f.fetch(`${base}/HEAD`);
    assertEquals(dumb.status, 404);
    await dumb.body?.cancel();
    const getRpc = await f.fetch(`${base}/git-upload-pack`);
    assertEquals(getRpc.status, 405);
    await getRpc.body?.cancel();
    const badGzip = await post("not gzip", { ...V2, "content-encoding": "gzip" });
    assertEquals(badGzip.status, 400);
    await badGzip.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test({
  name: "git access: real git clones a private wiki with a token as the password, and fails without one",
  ignore: !HAS_GIT,
  async fn() {
    const f = await fixture();
    const tmp = await Deno.makeTempDir({ prefix: "git-auth-" });
    try {
      await f.app.deps.wikis.pages(f.wikis.alice).write("Secret", "only members\n", {}, OWNER);
      const { token } = await f.app.deps.tokens.create(f.wikis.alice, { label: "laptop", readOnly: true });
      const { token: bobs } = await f.app.deps.tokens.create(f.wikis.bob, { label: "bob" });
      const url = (auth: string) => `http://${auth}localhost:${f.port}/w/alice/wiki.git`;
      const anon = await git(tmp, ["clone", url(""), "a"]);
      assertOk(anon.code !== 0, "no credentials: refused");
      // git asked for credentials after the 401 challenge (and could not prompt).
      assertIncludes(anon.stderr, "could not read Username");
      const other = await git(tmp, ["clone", url(`x:${bobs}@`), "b"]);
      assertOk(other.code !== 0, "another wiki's token: refused");
      assertIncludes(other.stderr, "403");
      await gitOk(tmp, ["clone", "--quiet", url(`x:${token}@`), "c"]);
      assertEquals(await Deno.readTextFile(`${tmp}/c/Secret.md`), "only members\n");
      await gitOk(tmp, ["-c", `http.extraHeader=Authorization: Bearer ${token}`, "clone", "--quiet", url(""), "d"]);
      assertEquals(await Deno.readTextFile(`${tmp}/d/Secret.md`), "only members\n");
    } finally {
      await f.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

function pktLine(s: string): string {
  return (s.length + 4).toString(16).padStart(4, "0") + s;
}

Deno.test("git access: one address may send 60 upload-pack requests in 10 minutes; then an ERR says when to retry", async () => {
  const f = await fixture();
  try {
    const lsRefs = () =>
      f.fetch(`http://localhost:${f.port}/w/open/wiki.git/git-upload-pack`, {
        method: "POST",
        body: "0014command=ls-refs\n0000",
        headers: V2,
      });
    for (let i = 0; i < GIT_RULE.limit; i++) {
      const ok = await lsRefs();
      assertEquals(ok.status, 200);
      const body = await ok.text();
      assertOk(!body.includes("ERR"), `request ${i + 1}: ${body}`);
    }
    const refused = await lsRefs();
    assertEquals(refused.status, 200, "git shows an ERR line's text; an HTTP error would hide it");
    assertIncludes(await refused.text(), "ERR too many git requests from your address; try again in");
    assertOk(Number(refused.headers.get("retry-after")) > 0);
    const refs = await f.fetch(`http://localhost:${f.port}/w/open/wiki.git/info/refs?service=git-upload-pack`, {
      headers: V2,
    });
    assertEquals(refs.status, 200, "the advertisement is cheap and not counted");
    await refs.body?.cancel();
  } finally {
    await f.close();
  }
});
