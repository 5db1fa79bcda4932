/**
 * KV faults on signup and wiki deletion (issue 9 item 9). Each KV call of the operation fails in turn (before the
 * call, and for a write also after it was applied). Every failure answers the 503 page leaking nothing; signup
 * leaves the person either without a wiki or with a complete one (never a half-seeded wiki they can see; staged
 * leftovers carry a purge marker), and sending the form again succeeds; a wiki deletion leaves the wiki either
 * intact or gone for good (its tokens refused), and sending the delete form again finishes it: nothing of the wiki
 * is left in KV.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { type Browser, connectApp, csrfFrom, type Fixture, mcpCall, PEOPLE, setup } from "../app/helpers.ts";
import { hiddenField } from "../routes/auth/helpers.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { type FaultController, faultyKv } from "./faulty_kv.ts";
import { assertUnavailable, assertWikiConsistent, type Point, sweepFaults, wikiIdsInStore } from "./fault_helpers.ts";

interface PlatformFault extends Fixture {
  faults: FaultController;
  alice: Browser;
  csrf: string;
  secrets: string[];
}

async function platformFault(): Promise<PlatformFault> {
  let faults!: FaultController;
  const f = await setup({
    wrapKv: (kv) => {
      const w = faultyKv(kv);
      faults = w.faults;
      return w.kv;
    },
  });
  const alice = await f.signIn("alice.test");
  return Object.assign(f, { faults, alice, csrf: "", secrets: [alice.sessionId] });
}

/** The 503 page, or the healthy redirect when the fault was tolerated. */
async function pageAnswer(f: PlatformFault, res: Response, p: Point): Promise<void> {
  if (res.status === 503) await assertUnavailable(res, "page", f.secrets, p.label);
  else await res.body?.cancel();
}

// ---- signup -----------------------------------------------------------------------------------------------------

const SLUG = "alices-notes";
const SEEDS = ["Agent Guide", "Getting Started", "Home"];

async function signupFault(): Promise<PlatformFault> {
  const f = await platformFault();
  const html = await f.alice.page("/auth/signup");
  f.csrf = hiddenField(html, "csrf", 'class="auth-form"');
  f.secrets.push(f.csrf);
  return f;
}

/**
 * Alice owns no wiki or one complete wiki (seeded, consistent, reachable by its slug), and every other wiki id in KV
 * is a staged creation marked for purging. Returns whether she owns it.
 */
async function signupState(f: PlatformFault, label: string): Promise<boolean> {
  const owned = (await f.app.deps.wikis.forUser(f.alice.did)).map((w) => w.wiki);
  assertOk(owned.length <= 1, `${label}: ${owned.length} wikis`);
  const wiki = owned[0];
  if (wiki) {
    assertEquals(wiki.slug, SLUG, label);
    assertEquals((await f.app.deps.wikis.bySlug(SLUG))?.id, wiki.id, `${label}: slug`);
    await assertWikiConsistent(f.kv, wiki.id, label);
    assertEquals((await f.app.deps.wikis.pages(wiki).list()).map((p) => p.path), SEEDS, `${label}: seed pages`);
    assertEquals(await f.app.deps.wikis.roleOf(wiki, f.alice.did), "admin", label);
  } else {
    assertEquals(await f.app.deps.wikis.bySlug(SLUG), null, `${label}: the slug names a wiki Alice cannot see`);
  }
  for (const id of (await wikiIdsInStore(f.kv)).keys()) {
    if (id === wiki?.id) continue;
    assertOk((await f.kv.get(["wiki_purge", id])).value !== null, `${label}: wiki ${id} is half-created`);
  }
  return wiki !== undefined;
}

Deno.test("KV faults - signup: 503 page at every failing call; no half-created wiki; sending the form again works", async () => {
  const submit = (f: PlatformFault) => f.alice.post("/auth/signup", { slug: SLUG }, { csrf: f.csrf });
  const r = await sweepFaults<PlatformFault>({
    setup: signupFault,
    run: submit,
    healthy: async (res) => {
      assertEquals(res.status, 303, await res.text());
    },
    isHealthy: (res) => res.status === 303,
    afterFailure: pageAnswer,
    async retry(f, p) {
      await signupState(f, p.label);
      const again = await submit(f);
      assertEquals(again.status, 303, `${p.label}: sending the form again: ${await again.text()}`);
      assertOk(await signupState(f, `${p.label}, after sending it again`), `${p.label}: no wiki after the retry`);
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

// ---- wiki deletion ----------------------------------------------------------------------------------------------

interface DeleteFault extends PlatformFault {
  wikiId: string;
  token: string;
  oauthToken: string;
}

async function deleteFault(): Promise<DeleteFault> {
  const f = await platformFault();
  const wiki = await f.wikiOf("alice.test", "doomed");
  await f.app.deps.wikis.setMember(wiki.id, PEOPLE["bob.test"], "editor", f.alice.did);
  const token = (await createWikiTokens({ kv: f.app.deps.kv, keys: f.app.deps.keys }).create(wiki, {
    label: "agent",
  })).token;
  const oauthToken = await connectApp(f.app, "doomed", f.alice.did);
  const csrf = csrfFrom(await f.alice.page("/app/account"));
  return Object.assign(f, {
    wikiId: wiki.id,
    token,
    oauthToken,
    csrf,
    secrets: [...f.secrets, token, oauthToken, csrf],
  });
}

/** Neither credential of the wiki works on its MCP endpoint. */
async function credentialsRefused(f: DeleteFault, label: string): Promise<void> {
  for (const token of [f.token, f.oauthToken]) {
    const res = await mcpCall(f.app, f.app.deps.urls.mcp("doomed"), token, "list_notes", {});
    await res.body?.cancel();
    assertOk(res.status === 401 || res.status === 404, `${label}: a token of the deleted wiki got ${res.status}`);
  }
}

/** The wiki is intact, or gone for every reader and credential. Returns whether it is gone. */
async function deleteState(f: DeleteFault, label: string): Promise<boolean> {
  const wiki = await f.app.deps.wikis.bySlug("doomed");
  if (wiki !== null) {
    await assertWikiConsistent(f.kv, f.wikiId, label);
    assertEquals((await f.app.deps.wikis.pages(wiki).list()).map((p) => p.path), SEEDS, `${label}: pages`);
    return false;
  }
  for (const did of [f.alice.did, PEOPLE["bob.test"]]) {
    const slugs = (await f.app.deps.wikis.forUser(did)).map((w) => w.wiki.slug);
    assertOk(!slugs.includes("doomed"), `${label}: ${did} still sees the wiki`);
  }
  await credentialsRefused(f, label);
  return true;
}

Deno.test("KV faults - wiki delete: 503 page at every failing call; intact or gone; sending the form again finishes it", async () => {
  const submit = (f: DeleteFault) => f.alice.post("/app/wikis/doomed/delete", { confirm: "doomed" }, { csrf: f.csrf });
  const r = await sweepFaults<DeleteFault>({
    setup: deleteFault,
    run: submit,
    healthy: async (res) => {
      assertEquals(res.status, 303, await res.text());
    },
    isHealthy: (res) => res.status === 303,
    afterFailure: pageAnswer,
    async retry(f, p) {
      await deleteState(f, p.label);
      const again = await submit(f);
      assertEquals(again.status, 303, `${p.label}: sending the form again: ${(await again.text()).slice(0, 400)}`);
      assertOk(await deleteState(f, `${p.label}, after sending it again`), `${p.label}: the wiki survived`);
      assertEquals((await wikiIdsInStore(f.kv)).get(f.wikiId), undefined, `${p.label}: keys of the wiki are left`);
      assertEquals(await f.app.deps.wikis.byId(f.wikiId), null, p.label);
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});
