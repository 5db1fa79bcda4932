/**
 * The per-person wiki limit holds under concurrent requests: bursts of creates through `POST /app/wikis`, through
 * `POST /auth/signup`, and through both at once never leave anyone owning more than `WIKIS_PER_USER` wikis. The
 * count lives in a per-person counter checked in the create's own atomic commit; deleting a wiki (or the account)
 * gives the place back, and a deployment from before the counter (no counter key) keeps working.
 */
import { assertEquals, assertOk } from "../../assert.ts";
import { ORIGIN, setup } from "../../app/helpers.ts";
import type { App } from "../../../main.ts";
import { csrfToken } from "../../../lib/session/csrf.ts";
import { upsertUserOnLogin } from "../../../lib/platform/users.ts";
import { CSRF_PURPOSE } from "../../../routes/app/context.ts";
import { SIGNUP_PURPOSE } from "../../../routes/auth/signup.tsx";
import { K } from "../../../lib/wiki/keys.ts";
import { deleteAccount } from "../../../lib/platform/account.ts";

/** A signed-in person able to post the dashboard's and signup's forms. */
interface Poster {
  did: string;
  handle: string;
  post(path: string, fields: Record<string, string>): Promise<Response>;
}

async function person(app: App, n: number): Promise<Poster> {
  const did = `did:plc:burst${String(n).padStart(19, "0")}`;
  const handle = `burst${n}.test`;
  await upsertUserOnLogin(app.deps.kv, { did, handle, displayName: null });
  const { id } = await app.deps.sessions.create({ did, handle, displayName: null }, ORIGIN);
  const appCsrf = await csrfToken(app.deps.keys, id, CSRF_PURPOSE);
  const signupCsrf = await csrfToken(app.deps.keys, id, SIGNUP_PURPOSE);
  return {
    did,
    handle,
    post: (path, fields) =>
      app.fetch(
        new Request(ORIGIN + path, {
          method: "POST",
          headers: { cookie: `rw_session=${id}`, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...fields, csrf: path === "/auth/signup" ? signupCsrf : appCsrf }),
        }),
      ),
  };
}

async function ownedCount(app: App, did: string): Promise<number> {
  return (await app.deps.wikis.forUser(did)).filter((w) => w.wiki.ownerDid === did).length;
}

/** Six people each send a burst of ten creates at once through `route(i)`; returns how many wikis each owns. */
async function bursts(app: App, route: (i: number) => "/app/wikis" | "/auth/signup", first = 0): Promise<number[]> {
  const people = await Promise.all(Array.from({ length: 6 }, (_, n) => person(app, first + n)));
  const responses = await Promise.all(
    people.flatMap((p, n) =>
      Array.from({ length: 10 }, (_, i) => p.post(route(i), { slug: `b${first + n}-w${i}`, title: "" }))
    ),
  );
  for (const res of responses) {
    await res.body?.cancel();
    assertOk(res.status < 500, `no 5xx under a burst, got ${res.status}`);
  }
  const counts = await Promise.all(people.map((p) => ownedCount(app, p.did)));
  for (const [i, p] of people.entries()) {
    assertEquals((await app.deps.kv.get(K.userWikiCount(p.did))).value, { owned: counts[i] }, "the counter is true");
  }
  return counts;
}

Deno.test("wiki limit - bursts of creates through /app/wikis leave each person at the limit", async () => {
  const f = await setup();
  try {
    assertEquals(await bursts(f.app, () => "/app/wikis"), [1, 1, 1, 1, 1, 1]);
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - bursts of signups leave each person with one wiki", async () => {
  const f = await setup();
  try {
    assertEquals(await bursts(f.app, () => "/auth/signup"), [1, 1, 1, 1, 1, 1]);
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - signup and the dashboard racing each other; a limit of 3 holds too", async () => {
  const f = await setup({ wikisPerUser: 3 });
  try {
    const counts = await bursts(f.app, (i) => (i % 2 === 0 ? "/auth/signup" : "/app/wikis"));
    assertEquals(counts, [3, 3, 3, 3, 3, 3]);
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - refused creates say why; deleting a wiki gives the place back", async () => {
  const f = await setup();
  try {
    const p = await person(f.app, 1);
    const ok = await p.post("/app/wikis", { slug: "first-one" });
    assertEquals(ok.status, 303);
    const refused = await p.post("/app/wikis", { slug: "second-one" });
    assertEquals(refused.status, 403);
    assertOk((await refused.text()).includes("the most one person can have"));
    assertEquals(await f.app.deps.wikis.bySlug("second-one"), null);
    const signup = await p.post("/auth/signup", { slug: "third-one" });
    assertEquals(signup.status, 409);
    await signup.body?.cancel();
    const wiki = (await f.app.deps.wikis.bySlug("first-one"))!;
    await f.app.deps.wikis.delete(wiki.id);
    const again = await p.post("/app/wikis", { slug: "second-one" });
    assertEquals(again.status, 303);
    assertEquals(await ownedCount(f.app, p.did), 1);
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - data from before the counter: a missing counter is initialised from the wikis owned", async () => {
  const f = await setup({ wikisPerUser: 2 });
  try {
    const people = await Promise.all([0, 1, 2].map((n) => person(f.app, n)));
    // Person 0 owns one wiki, person 1 two, person 2 none; then the counters vanish (an older deployment's data).
    await f.app.deps.wikis.create({ slug: "old-a", ownerDid: people[0].did, seed: false }, actor);
    await f.app.deps.wikis.create({ slug: "old-b", ownerDid: people[1].did, seed: false }, actor);
    await f.app.deps.wikis.create({ slug: "old-c", ownerDid: people[1].did, seed: false }, actor);
    for (const p of people) await f.kv.delete(K.userWikiCount(p.did));
    const responses = await Promise.all(
      people.flatMap((p, n) => Array.from({ length: 8 }, (_, i) => p.post("/app/wikis", { slug: `n${n}-x${i}` }))),
    );
    for (const r of responses) await r.body?.cancel();
    assertEquals(await Promise.all(people.map((p) => ownedCount(f.app, p.did))), [2, 2, 2]);
    // Those who created a wiki now have a counter that agrees with the wikis owned; a refusal writes nothing.
    assertEquals((await f.kv.get(K.userWikiCount(people[0].did))).value, { owned: 2 });
    assertEquals((await f.kv.get(K.userWikiCount(people[1].did))).value, null);
    assertEquals((await f.kv.get(K.userWikiCount(people[2].did))).value, { owned: 2 });
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - the counter follows deletes (also concurrent ones) and account deletion leaves no counter", async () => {
  const f = await setup({ wikisPerUser: 3 });
  try {
    const p = await person(f.app, 7);
    const made = [];
    for (const slug of ["del-a", "del-b", "del-c"]) {
      made.push(await f.app.deps.wikis.create({ slug, ownerDid: p.did, seed: false }, actor));
    }
    assertEquals((await f.kv.get(K.userWikiCount(p.did))).value, { owned: 3 });
    // The same wiki deleted twice at once counts once.
    await Promise.all([f.app.deps.wikis.delete(made[0].id), f.app.deps.wikis.delete(made[0].id).catch(() => {})]);
    assertEquals((await f.kv.get(K.userWikiCount(p.did))).value, { owned: 2 });
    await deleteAccount(
      f.app.deps.platform,
      { did: p.did, handle: p.handle, displayName: null },
      p.handle,
    );
    assertEquals((await f.kv.get(K.userWikiCount(p.did))).value, null);
    assertEquals(await ownedCount(f.app, p.did), 0);
  } finally {
    f.close();
  }
});

Deno.test("wiki limit - creates and deletes racing on data without a counter keep the count true", async () => {
  const f = await setup();
  try {
    for (let round = 0; round < 10; round++) {
      const did = `did:plc:race${String(round).padStart(20, "0")}`;
      const a = await f.app.deps.wikis.create({ slug: `race-${round}-a`, ownerDid: did, seed: false }, actor);
      if (round % 2 === 1) {
        await f.app.deps.wikis.create({ slug: `race-${round}-b`, ownerDid: did, seed: false }, actor);
      }
      await f.kv.delete(K.userWikiCount(did));
      await Promise.all([
        f.app.deps.wikis.delete(a.id),
        ...Array.from(
          { length: 4 },
          (_, i) =>
            f.app.deps.wikis.create({ slug: `race-${round}-n${i}`, ownerDid: did, seed: false, ownerLimit: 2 }, actor)
              .catch(() => null),
        ),
      ]);
      const owned = await ownedCount(f.app, did);
      assertOk(owned <= 2, `round ${round}: ${owned} wikis owned`);
      assertEquals((await f.kv.get(K.userWikiCount(did))).value, owned === 0 ? null : { owned }, `round ${round}`);
    }
  } finally {
    f.close();
  }
});

const actor = { id: "test", name: "test", client: "test" };
