/**
 * Collaborator onboarding (issue 11 item 4): someone who has never signed in, following Claude's consent link to a
 * wiki they were added to, signs in and is returned to the consent page (never detoured to signup), approves, and
 * later finds creating a wiki of their own offered on the dashboard. Both addressing modes, through the routes with
 * the fake ATProto login; a first sign-in without a return_to still goes to signup (login_test.ts).
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { base64url, randomToken } from "../../../lib/ids.ts";
import { ACCOUNTS, type Browser, hiddenField, setupAuth, signInThroughForm } from "./helpers.ts";

const ALICE = ACCOUNTS["alice.test"];
const BOB = ACCOUNTS["bob.test"];
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";
const CLAUDE_DCR = {
  client_name: "Claude",
  redirect_uris: [CALLBACK],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_post",
};

/** Alice's private wiki with Bob (never signed in) as an editor, and Claude registered on it; the consent URL. */
async function fixture(mode: "path" | "subdomain") {
  const f = await setupAuth(mode === "subdomain" ? { addressing: "subdomain", wikiDomain: "localhost" } : {});
  const deps = f.app.deps;
  const wiki = await deps.wikis.create(
    { slug: "alice", ownerDid: ALICE, visibility: "private" },
    { id: ALICE, name: "alice.test", client: "test" },
  );
  await deps.wikis.setMember(wiki.id, BOB, "editor", ALICE);
  const reg = await f.app.fetch(
    new Request(deps.urls.wiki("alice", "/register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(CLAUDE_DCR),
    }),
  );
  assertEquals(reg.status, 201);
  const clientId = (await reg.json()).client_id as string;
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(randomToken(32)))),
  );
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-1",
    scope: "wiki:read wiki:write",
    resource: deps.urls.mcp("alice"),
  });
  return { ...f, consentUrl: `${deps.urls.wiki("alice", "/authorize")}?${params}` };
}

/**
 * Follows redirects from `url` (at most 12 hops); at the platform's login form, signs in as `handle` with the
 * form's return_to. Returns every URL visited and the last response.
 */
async function follow(
  b: Browser,
  origin: string,
  url: string,
  handle: string,
): Promise<{ visited: string[]; res: Response }> {
  const visited = [url];
  let res = await b.fetch(url);
  for (let hop = 0; hop < 12 && res.status >= 300 && res.status < 400; hop++) {
    await res.body?.cancel();
    const next = new URL(res.headers.get("location")!, url).href;
    visited.push(next);
    const u = new URL(next);
    if (u.origin === origin && u.pathname === "/auth/login") {
      res = await signInThroughForm(b, origin, handle, { returnTo: u.searchParams.get("return_to") ?? undefined });
      visited.push(`(signed in) -> ${res.headers.get("location")}`);
    } else {
      res = await b.fetch(next);
    }
    url = next;
  }
  return { visited, res };
}

for (const mode of ["path", "subdomain"] as const) {
  Deno.test(`onboarding (${mode}) - a collaborator's first sign-in from Claude's consent link returns to the consent`, async () => {
    const f = await fixture(mode);
    try {
      const b = f.browser();
      const { visited, res } = await follow(b, f.origin, f.consentUrl, "bob.test");
      const trail = visited.join("\n");
      assertExcludes(trail, "/auth/signup");
      assertEquals(res.status, 200, trail);
      assertEquals(visited.at(-1), f.consentUrl, trail);
      const html = await res.text();
      assertIncludes(html, "Claude");
      assertIncludes(html, 'value="approve"');
      assertOk(await f.app.deps.wikis.bySlug("bob") === null, "no wiki was created for Bob");
      // Approving completes the connection: back to Claude with a code.
      const approved = await b.post(f.app.deps.urls.wiki("alice", "/authorize"), {
        request_id: hiddenField(html, "request_id"),
        csrf: hiddenField(html, "csrf", 'name="request_id"'),
        decision: "approve",
      });
      assertEquals(approved.status, 302, await approved.clone().text());
      const back = new URL(approved.headers.get("location")!);
      assertEquals(back.origin + back.pathname, CALLBACK);
      assertOk(back.searchParams.get("code"));
      assertEquals(back.searchParams.get("state"), "st-1");
      // The dashboard shows the shared wiki and offers a wiki of Bob's own (offered, not forced).
      const dash = await b.fetch(`${f.origin}/app/`);
      assertEquals(dash.status, 200);
      const home = await dash.text();
      for (const part of ["Shared with you", "Create a wiki", 'action="/app/wikis"']) assertIncludes(home, part);
    } finally {
      f.close();
    }
  });
}

Deno.test("onboarding - a first sign-in with no return_to still goes to signup", async () => {
  const f = await fixture("path");
  try {
    const res = await signInThroughForm(f.browser(), f.origin, "bob.test");
    assertEquals(res.headers.get("location"), `${f.origin}/auth/signup`);
  } finally {
    f.close();
  }
});
