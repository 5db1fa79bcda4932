/**
 * @module
 * Shared setup of the browser-editing tests: the app in path or subdomain mode on in-memory KV, a public wiki
 * `alice` owned by Alice (admin), with an editor, a viewer, and a signed-in non-member, each with a session cookie
 * for the wiki's origin; request helpers that send forms the way a browser does.
 */
import type { App } from "../../../../main.ts";
import { DEFAULT_LIMITS } from "../../../../lib/config.ts";
import { appFixture } from "../../../fixture/app.ts";
import type { Limits } from "../../../../lib/config.ts";
import type { PageStore } from "../../../../lib/wiki/store.ts";
import type { WikiRecord } from "../../../../lib/wiki/types.ts";

/** Addressing mode under test. */
export type Mode = "path" | "subdomain";

/** The people of the fixture. */
export type Who = "alice" | "editor" | "viewer" | "stranger" | "anon";

/** DIDs and handles of the fixture's people. */
export const PEOPLE: Record<Exclude<Who, "anon">, { did: string; handle: string }> = {
  alice: { did: "did:plc:alice0000000000000000000", handle: "alice.test" },
  editor: { did: "did:plc:editor000000000000000000", handle: "ed.test" },
  viewer: { did: "did:plc:viewer000000000000000000", handle: "vi.test" },
  stranger: { did: "did:plc:stranger0000000000000000", handle: "stranger.test" },
};

/** A running app with the wiki and sessions. */
export interface EditFixture {
  mode: Mode;
  app: App;
  wiki: WikiRecord;
  pages: PageStore;
  /** Base URL of the wiki, no trailing slash. */
  base: string;
  /** Session cookie values by person. */
  cookies: Record<Exclude<Who, "anon">, string>;
  /** GET `path` (relative to the wiki base) as `who`. */
  get(path: string, who?: Who): Promise<Response>;
  /** POST an urlencoded form to `path` as `who`. */
  post(path: string, fields: Record<string, string>, who?: Who): Promise<Response>;
  /** POST a multipart form to `path` as `who`. */
  postMultipart(path: string, form: FormData, who?: Who): Promise<Response>;
  /** The CSRF token of the form on the page at `path`, fetched as `who`. */
  token(path: string, who?: Who): Promise<string>;
  close(): void;
}

/**
 * Builds the app in `mode` (limits may be lowered for the size tests; `wrapKv` wraps the in-memory store before the
 * app gets it, e.g. a fault-injecting store).
 */
export async function setupEdit(
  mode: Mode,
  limits: Partial<Limits> = {},
  wrapKv?: (kv: Deno.Kv) => Deno.Kv,
): Promise<EditFixture> {
  const f = await appFixture({
    addressing: mode,
    config: { limits: { ...DEFAULT_LIMITS, ...limits } },
    wrapKv,
    wikis: [{
      slug: "alice",
      title: "Alice's wiki",
      ownerDid: PEOPLE.alice.did,
      visibility: "public",
      seed: false,
      actor: { id: PEOPLE.alice.did, name: PEOPLE.alice.handle, client: "system" },
      members: [[PEOPLE.editor.did, "editor"], [PEOPLE.viewer.did, "viewer"]],
    }],
  });
  const { app, wikis: { alice: wiki } } = f;
  const { wikis, urls } = app.deps;
  const pages = wikis.pages(wiki);
  const origin = urls.wikiOrigin("alice");
  const cookies = {} as Record<Exclude<Who, "anon">, string>;
  for (const [who, p] of Object.entries(PEOPLE)) {
    cookies[who as Exclude<Who, "anon">] = await f.session({ did: p.did, handle: p.handle, displayName: null }, origin);
  }
  const base = urls.wikiBase("alice");
  const headers = (who: Who): Record<string, string> => who === "anon" ? {} : { cookie: `rw_session=${cookies[who]}` };
  const fixture: EditFixture = {
    mode,
    app,
    wiki,
    pages,
    base,
    cookies,
    get: (path, who = "alice") => app.fetch(new Request(base + path, { headers: headers(who) })),
    post: (path, fields, who = "alice") =>
      app.fetch(
        new Request(base + path, {
          method: "POST",
          headers: { ...headers(who), "content-type": "application/x-www-form-urlencoded", origin },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
    postMultipart: (path, form, who = "alice") =>
      app.fetch(new Request(base + path, { method: "POST", headers: { ...headers(who), origin }, body: form })),
    async token(path, who = "alice") {
      const res = await fixture.get(path, who);
      const html = await res.text();
      const token = editToken(html);
      if (!token) throw new Error(`no CSRF field on ${path} (status ${res.status}): ${html.slice(0, 300)}`);
      return token;
    },
    close: () => void f.close(),
  };
  return fixture;
}

/**
 * The CSRF token of the editing forms in `html`: the last `csrf` field (the page header's sign-out form, which has
 * its own token, comes first).
 */
export function editToken(html: string): string | null {
  const all = [...html.matchAll(/name="csrf" value="([^"]+)"/g)];
  return all.length ? all[all.length - 1][1] : null;
}

/** The value of the hidden or text input `name` in `html` (first match), or null. */
export function inputValue(html: string, name: string): string | null {
  const tag = html.match(new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`));
  if (!tag) return null;
  const value = tag[0].match(/\svalue(?:="([^"]*)")?/);
  return value ? decodeEntities(value[1] ?? "") : null;
}

/** The text of the textarea `name` in `html` (the leading newline the editor adds removed), or null. */
export function textareaValue(html: string, name: string): string | null {
  const m = html.match(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`));
  return m ? decodeEntities(m[1]).replace(/^\n/, "") : null;
}

/** Undoes the HTML escaping Preact applies to text and attributes. */
export function decodeEntities(s: string): string {
  return s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

/** Runs `fn` against a fresh fixture in each addressing mode, as test steps. */
export async function inBothModes(
  t: Deno.TestContext,
  fn: (f: EditFixture) => Promise<void>,
  limits: Partial<Limits> = {},
): Promise<void> {
  for (const mode of ["path", "subdomain"] as const) {
    await t.step(mode, async () => {
      const f = await setupEdit(mode, limits);
      try {
        await fn(f);
      } finally {
        f.close();
      }
    });
  }
}
