/**
 * @module
 * The heavy cases: a bounded set of very large inputs, generated once per run (seeded sizes and characters).
 * Every string argument of every MCP tool, every field of every editing and dashboard form, every OAuth parameter
 * and the main headers get one value of 80,000 to 100,000 characters; the attachment upload gets base64 payloads
 * of ~4-5 MiB, of exactly the limit, of the limit + 1 byte, and one over the request body limit. They run first,
 * before the write rate limit and the quota are used up by the random requests.
 */
import type { Rng } from "./rng.ts";
import type { FuzzCase } from "./oracle.ts";
import type { World } from "./world.ts";
import { longString } from "./values.ts";
import { CALLBACK, CLAUDE_DCR } from "../../routes/wiki/oauth/http_helpers.ts";

const FORM = "application/x-www-form-urlencoded";
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** Characters of heavy strings: no `/` or `\`, so a value is not cut down to a short last segment. */
const HEAVY_ALPHABETS = ["a", "abcdefghijklmnopqrstuvwxyz0123456789 ._-", "é", "Xy.z"];

/** A heavy string: seeded length in [80,000, 100,000]. */
function heavy(rng: Rng): string {
  return longString(rng, rng.int(80_000, 100_000), rng.pick(HEAVY_ALPHABETS));
}

/** Valid values of tool arguments, so that the one heavy argument is the only odd thing. */
const VALID: Record<string, unknown> = {
  path: "Home",
  new_path: "Renamed",
  filename: "a.txt",
  content: "aGVsbG8=",
  query: "home",
  old_string: "Home",
  new_string: "House",
  limit: 5,
};

/** Base64 of `n` seeded bytes, built when sent. */
function base64Of(rng: Rng, n: number): () => string {
  const seed = rng.int(0, 255);
  return () => {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 31 + seed) & 0xff;
    let out = "";
    for (let i = 0; i < n; i += 3 * 8192) out += btoa(String.fromCharCode(...bytes.subarray(i, i + 3 * 8192)));
    return out;
  };
}

/** A `tools/call` request. */
function call(
  w: World,
  token: string,
  name: string,
  args: Record<string, unknown> | (() => Record<string, unknown>),
  label: string,
): FuzzCase {
  return {
    label: `heavy mcp tools/call ${name} ${label}`,
    method: "POST",
    url: w.f.urls.mcp("alice"),
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
    body: () =>
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name, arguments: typeof args === "function" ? args() : args },
      }),
  };
}

/** The heavy cases of a run (`rng` seeds their sizes and characters). */
export function heavyCases(rng: Rng, w: World): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const limits = w.f.app.deps.config.limits;

  // Every string argument of every tool.
  for (const tool of w.tools) {
    for (const [field, prop] of Object.entries(tool.properties)) {
      if (prop.type !== "string") continue;
      const value = heavy(rng);
      const args: Record<string, unknown> = {};
      for (const r of tool.required) args[r] = VALID[r] ?? "x";
      args[field] = value;
      const token = tool.readOnly ? w.roToken : w.rwTokens[0];
      cases.push(call(w, token, tool.name, args, `${field}=string(${value.length})`));
    }
  }
  // Attachment payloads around the limits.
  const max = limits.maxAttachmentBytes;
  const sizes = [rng.int(4 * 1024 * 1024, 5 * 1024 * 1024), max, max + 1, Math.ceil(limits.maxBodyBytes * 0.76)];
  for (const n of sizes) {
    const content = base64Of(rng, n);
    const filename = `big-${n}.bin`;
    cases.push(
      call(
        w,
        w.rwTokens[1],
        "upload_attachment",
        () => ({ path: "Home", filename, content: content() }),
        `content=base64(${n} bytes)`,
      ),
    );
  }

  // Every field of the editing forms, as the owner with a valid CSRF token.
  const owner = w.wiki.alice;
  const editRoutes = [
    "/-/new",
    "/-/edit/Home",
    "/-/rename/Notes/Sub",
    "/-/delete/Missing",
    "/-/restore/Home",
    "/-/detach/Home",
  ];
  for (const route of editRoutes) {
    for (const field of ["path", "content", "revision", "message", "to", "filename", "action"]) {
      const value = heavy(rng);
      cases.push({
        label: `heavy wiki POST ${route} ${field}=string(${value.length})`,
        method: "POST",
        url: w.base.alice + route,
        headers: { cookie: owner.cookie!, "content-type": FORM, origin: new URL(w.base.alice).origin },
        body: new URLSearchParams({ csrf: owner.csrf!, [field]: value }).toString(),
      });
    }
  }
  const fileName = heavy(rng);
  cases.push({
    label: `heavy wiki multipart /-/attach/Home file name=string(${fileName.length})`,
    method: "POST",
    url: w.base.alice + "/-/attach/Home",
    headers: { cookie: owner.cookie!, origin: new URL(w.base.alice).origin },
    body: () => {
      const fd = new FormData();
      fd.set("csrf", owner.csrf!);
      fd.set("file", new File(["hello"], fileName));
      return fd;
    },
  });
  for (
    const route of [
      "/",
      "/-/attachment/Home/",
      "/-/history/",
      "/-/raw/",
      "/-/edit/",
      "/-/search?q=",
      "/-/diff/Home?from=",
    ]
  ) {
    const value = heavy(rng);
    cases.push({
      label: `heavy wiki GET ${route}string(${value.length})`,
      method: "GET",
      url: w.base.alice + route + encodeURIComponent(value),
      headers: { cookie: owner.cookie! },
    });
  }

  // Every query parameter the pages read, signed in (the owner) and out.
  const queries: [string, string, string][] = [
    [w.base.alice, "/Home", "rev"],
    [w.base.alice, "/-/raw/Home", "rev"],
    [w.base.alice, "/-/diff/Home", "from"],
    [w.base.alice, "/-/diff/Home", "to"],
    [w.base.alice, "/-/restore/Home", "rev"],
    [w.base.alice, "/-/history/Home", "b"],
    [w.base.alice, "/-/index", "tag"],
    [w.base.alice, "/-/index", "category"],
    [w.base.alice, "/-/index", "prefix"],
    [w.base.alice, "/-/new", "path"],
    [w.base.alice, "/-/detach/Home", "filename"],
    [w.base.alice, "/-/auth/login", "return_to"],
    [w.base.alice, "/-/auth/handoff", "code"],
    [w.base.alice, "/-/auth/handoff", "return_to"],
    [w.origin, "/auth/login", "return_to"],
    [w.origin, "/auth/callback", "state"],
    [w.origin, "/auth/callback", "code"],
    [w.origin, "/auth/callback", "iss"],
    [w.origin, "/auth/callback", "error"],
    [w.origin, "/auth/transfer", "code"],
    [w.origin, "/auth/handoff", "to"],
    [w.origin, "/auth/signup", "return_to"],
    [w.origin, "/app/", "flash"],
    [w.origin, "/app/wikis/alice", "flash"],
    [w.origin, "/app/wikis/alice", "notice"],
  ];
  for (const [base, path, param] of queries) {
    const value = heavy(rng);
    const signedIn = rng.chance(0.5);
    const cookie = base === w.origin ? w.platform.alice.cookie! : owner.cookie!;
    const others = param === "state" ? "&code=x&iss=https%3A%2F%2Fpds.example" : "";
    cases.push({
      label: `heavy GET ${path}?${param}=string(${value.length}) ${signedIn ? "as alice" : "signed out"}`,
      method: "GET",
      url: `${base}${path}?${param}=${encodeURIComponent(value)}${others}`,
      headers: signedIn ? { cookie } : {},
    });
  }

  // The dashboard, as the owner with a valid CSRF token.
  const platform = w.platform.alice;
  const slugValue = heavy(rng);
  cases.push({
    label: `heavy platform GET /app/wikis/string(${slugValue.length})`,
    method: "GET",
    url: `${w.origin}/app/wikis/${encodeURIComponent(slugValue)}`,
    headers: { cookie: platform.cookie! },
  });
  for (
    const route of [
      "/app/wikis",
      "/app/wikis/alice/tokens",
      "/app/wikis/alice/members",
      "/app/wikis/alice/members/role",
      "/app/wikis/alice/members/remove",
      "/app/wikis/alice/visibility",
    ]
  ) {
    for (const field of ["slug", "label", "handle", "did", "role", "visibility"]) {
      if (!rng.chance(0.5)) continue;
      const value = heavy(rng);
      cases.push({
        label: `heavy platform POST ${route} ${field}=string(${value.length})`,
        method: "POST",
        url: w.origin + route,
        headers: { cookie: platform.cookie!, "content-type": FORM, origin: w.origin },
        body: new URLSearchParams({ csrf: platform.csrf!, [field]: value, role: "viewer" }).toString(),
      });
    }
  }
  const tokenId = heavy(rng);
  cases.push({
    label: `heavy platform POST /app/wikis/alice/tokens/string(${tokenId.length})/revoke`,
    method: "POST",
    url: `${w.origin}/app/wikis/alice/tokens/${encodeURIComponent(tokenId)}/revoke`,
    headers: { cookie: platform.cookie!, "content-type": FORM, origin: w.origin },
    body: new URLSearchParams({ csrf: platform.csrf! }).toString(),
  });

  // OAuth: every parameter of each endpoint.
  const authorize: Record<string, string> = {
    response_type: "code",
    client_id: w.publicClientId,
    redirect_uri: CALLBACK,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    state: "st",
    scope: "wiki:read",
    resource: w.f.urls.mcp("alice"),
  };
  for (const field of Object.keys(authorize)) {
    const params = new URLSearchParams({ ...authorize, [field]: heavy(rng) });
    cases.push({
      label: `heavy oauth GET /authorize ${field}=string(${params.get(field)!.length})`,
      method: "GET",
      url: `${w.f.urls.wiki("alice", "/authorize")}?${params}`,
      headers: { cookie: owner.cookie! },
    });
  }
  cases.push({
    label: "heavy oauth POST /authorize request_id=heavy",
    method: "POST",
    url: w.f.urls.wiki("alice", "/authorize"),
    headers: { cookie: owner.cookie!, "content-type": FORM },
    body: new URLSearchParams({ request_id: heavy(rng), csrf: heavy(rng), decision: "approve" }).toString(),
  });
  const token: Record<string, string> = {
    grant_type: "authorization_code",
    code: "rwac_g_aaaaaaaaaaaaaaaaaaaa." + "b".repeat(43),
    code_verifier: "v".repeat(43),
    client_id: w.publicClientId,
    redirect_uri: CALLBACK,
    resource: w.f.urls.mcp("alice"),
    refresh_token: "x",
    client_secret: "x",
  };
  for (
    const [endpoint, fields] of [["/token", Object.keys(token)], ["/revoke", [
      "token",
      "token_type_hint",
      "client_id",
    ]]] as const
  ) {
    for (const field of fields) {
      const body = new URLSearchParams({ ...token, token: "x", [field]: heavy(rng) });
      cases.push({
        label: `heavy oauth POST ${endpoint} ${field}=string(${body.get(field)!.length})`,
        method: "POST",
        url: w.f.urls.wiki("alice", endpoint),
        headers: { "content-type": FORM },
        body: body.toString(),
      });
    }
  }
  for (const field of ["client_name", "redirect_uris", "client_uri", "scope", "token_endpoint_auth_method"]) {
    const value = field === "redirect_uris" ? ["https://x.example/" + heavy(rng)] : heavy(rng);
    cases.push({
      label: `heavy oauth POST /register ${field}=heavy`,
      method: "POST",
      url: w.f.urls.wiki("alice", "/register"),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...CLAUDE_DCR, [field]: value }),
    });
  }

  // Headers.
  for (
    const [name, value] of [
      ["cookie", `rw_session=${heavy(rng)}`],
      ["authorization", `Bearer ${heavy(rng)}`],
      ["host", `${longString(rng, rng.int(40_000, 100_000), "abcdefghijklmnopqrstuvwxyz")}.localhost:8000`],
      ["accept", heavy(rng)],
    ] as const
  ) {
    for (const url of [w.base.alice + "/", w.origin + "/app/", w.f.urls.mcp("alice")]) {
      const mcp = url.endsWith("/mcp");
      cases.push({
        label: `heavy header ${name}: string(${value.length}) on ${mcp ? "mcp" : new URL(url).pathname}`,
        method: mcp ? "POST" : "GET",
        url,
        headers: mcp ? { ...MCP_HEADERS, authorization: `Bearer ${w.rwTokens[2]}`, [name]: value } : { [name]: value },
        body: mcp ? JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) : undefined,
      });
    }
  }
  return cases;
}
