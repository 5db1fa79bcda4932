/**
 * @module
 * The fuzzer's world, built on the OAuth HTTP fixture (tests/routes/wiki/oauth/http_helpers.ts): the whole app in one
 * addressing mode with wikis alice and bob, pages and an attachment, signed-out / non-member / viewer / owner
 * sessions on the wiki and platform origins with their CSRF tokens, per-wiki MCP tokens, an OAuth connection, and
 * the MCP tools' input schemas (read from `tools/list`, so every tool is fuzzed, including ones added later).
 */
import {
  ALICE,
  connect,
  type Connection,
  type HttpFixture,
  type Mode,
  setupHttp,
  STRANGER,
  VIEWER,
} from "../../routes/wiki/oauth/http_helpers.ts";
import { createWikiTokens } from "../../../lib/auth/tokens.ts";
import { csrfToken } from "../../../lib/session/csrf.ts";

/** Who a request is sent as. */
export type Who = "anon" | "stranger" | "viewer" | "alice";

/** Everyone the fuzzer sends requests as. */
export const WHO: readonly Who[] = ["anon", "stranger", "viewer", "alice"];

/** A JSON-schema property of a tool's input, as `tools/list` describes it. */
export interface ToolProperty {
  type?: string;
}

/** A tool and its input schema. */
export interface ToolSchema {
  name: string;
  properties: Record<string, ToolProperty>;
  required: string[];
  readOnly: boolean;
}

/** Credentials of one person on one origin. */
export interface Credentials {
  /** `cookie` header value, or null when signed out. */
  cookie: string | null;
  /** The CSRF token of this origin's forms (dashboard: purpose `app`; wiki: `wiki-edit:{id}`), or null. */
  csrf: string | null;
}

/** The fuzzer's world in one addressing mode. */
export interface World {
  mode: Mode;
  f: HttpFixture;
  /** Platform origin, wiki base URLs by slug. */
  origin: string;
  base: Record<"alice" | "bob", string>;
  /** Wiki-origin and platform-origin credentials by person (alice's wiki). */
  wiki: Record<Who, Credentials>;
  platform: Record<Who, Credentials>;
  /** Read-write wiki tokens of alice (several, so the write rate limit does not stop the fuzzing). */
  rwTokens: string[];
  /** A read-only token of alice, a token of bob. */
  roToken: string;
  bobToken: string;
  /** An OAuth connection (confidential client) whose access token the MCP requests use (never revoked). */
  oauth: Connection;
  /** Another connection, whose tokens and client the /token and /revoke requests use (and may use up). */
  bait: Connection;
  publicClientId: string;
  /** The current revision of Home when the world was built. */
  homeRevision: string;
  /** The MCP tools. */
  tools: ToolSchema[];
  close(): void;
}

const SYSTEM = { id: "local:fuzz", name: "fuzz", client: "cli" };

/** Builds the world in `mode`. */
export async function buildWorld(mode: Mode): Promise<World> {
  const f = await setupHttp(mode);
  try {
    const { app, urls, alice } = f;
    const { keys, sessions, wikis } = app.deps;
    const pages = wikis.pages(alice);
    const home = await pages.write("Home", "# Home\n\nSee [[Notes/Sub]] and [[Missing]].\n", {}, SYSTEM);
    await pages.write("Notes/Sub", "---\ntags: [a]\ncategory: c\n---\n# Sub\n\nBack to [[Home]].\n", {}, SYSTEM);
    await pages.putAttachment("Home", "a.txt", new TextEncoder().encode("hello"), {}, SYSTEM);
    await wikis.pages(f.bob).write("Home", "# Bob\n", {}, SYSTEM);

    const dids: Record<Exclude<Who, "anon">, string> = { stranger: STRANGER, viewer: VIEWER, alice: ALICE };
    const wiki = { anon: { cookie: null, csrf: null } } as Record<Who, Credentials>;
    const platform = { anon: { cookie: null, csrf: null } } as Record<Who, Credentials>;
    for (const [who, did] of Object.entries(dids) as [Exclude<Who, "anon">, string][]) {
      const user = { did, handle: `${who}.test`, displayName: null };
      const w = await sessions.create(user, urls.wikiOrigin("alice"));
      wiki[who] = { cookie: `rw_session=${w.id}`, csrf: await csrfToken(keys, w.id, `wiki-edit:${alice.id}`) };
      const p = mode === "path" ? w : await sessions.create(user, urls.origin);
      platform[who] = { cookie: `rw_session=${p.id}`, csrf: await csrfToken(keys, p.id, "app") };
    }

    const tokens = createWikiTokens({ kv: app.deps.kv, keys });
    const rwTokens: string[] = [];
    for (let i = 0; i < 6; i++) rwTokens.push((await tokens.create(alice, { label: `fuzz-${i}` })).token);
    const roToken = (await tokens.create(alice, { label: "fuzz-ro", readOnly: true })).token;
    const bobToken = (await tokens.create(f.bob, { label: "fuzz-bob" })).token;
    const oauth = await connect(f);
    const bait = await connect(f);
    const publicClientId = (await connect(f, { public: true })).clientId;

    const res = await f.fetch(urls.mcp("alice"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${rwTokens[0]}`,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    const listed = (await res.json()).result.tools as {
      name: string;
      inputSchema: { properties?: Record<string, ToolProperty>; required?: string[] };
      annotations?: { readOnlyHint?: boolean };
    }[];
    const tools = listed.map((t) => ({
      name: t.name,
      properties: t.inputSchema.properties ?? {},
      required: t.inputSchema.required ?? [],
      readOnly: t.annotations?.readOnlyHint === true,
    }));
    if (tools.length < 10) throw new Error(`tools/list gave ${tools.length} tools`);

    return {
      mode,
      f,
      origin: urls.origin,
      base: { alice: urls.wikiBase("alice"), bob: urls.wikiBase("bob") },
      wiki,
      platform,
      rwTokens,
      roToken,
      bobToken,
      oauth,
      bait,
      publicClientId,
      homeRevision: home.revision,
      tools,
      close: () => f.close(),
    };
  } catch (err) {
    f.close();
    throw err;
  }
}
