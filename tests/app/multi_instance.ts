/**
 * @module
 * A cluster of app instances in one process on ONE Deno KV store, as Deno Deploy runs several isolates (or an
 * operator runs several processes on one KV Connect server): each instance is its own app (tests/fixture/app.ts) with its own
 * memory, the store is shared and strongly consistent.
 *
 * In-process caches are keyed by the KV handle an app was built with (the page catalog and search index of
 * lib/wiki/catalog.ts) or live in the app's own objects (token lookups, the MCP endpoint), so each instance gets its
 * own view of the shared store: a distinct handle forwarding every call to it. Without the views, two apps on the
 * same handle would share their catalogs and a stale cache could never show.
 */
import type { App } from "../../main.ts";
import { appFixture } from "../fixture/app.ts";
import { type Config, testConfig } from "../../lib/config.ts";
import { upsertUserOnLogin } from "../../lib/platform/users.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { fakeAtprotoLogin, fakeIdentity, mcpCall, PEOPLE, type Person } from "./helpers.ts";

/** The platform origin of the cluster (path addressing: wikis at `/w/{slug}/`). */
export const CLUSTER_ORIGIN = "http://localhost:8000";

/** One app instance of the cluster. */
export interface Instance {
  /** "A", "B", "C", ... */
  name: string;
  app: App;
  /** This instance's own handle on the shared store. */
  kv: Deno.Kv;
}

/** A signed-in person: one platform session, valid on every instance (sessions live in KV). */
export interface Visitor {
  did: string;
  handle: string;
  sessionId: string;
  /** GET `path` (on the platform origin, e.g. `/w/team/Home`) from instance `on`. */
  get(on: Instance, path: string): Promise<Response>;
  /** GET expecting 200; returns the HTML. */
  page(on: Instance, path: string): Promise<string>;
  /** POST a form to `path` on instance `on`, with a CSRF token of `purpose` (e.g. "app", `wiki-edit:{id}`). */
  post(on: Instance, path: string, fields: Record<string, string>, purpose: string): Promise<Response>;
}

/** The cluster. */
export interface Cluster {
  config: Config;
  /** The shared store itself. */
  kv: Deno.Kv;
  instances: Instance[];
  /** Creates the person's user record and a platform session (through instance A). */
  signIn(person: Person): Promise<Visitor>;
  close(): Promise<void>;
}

/** What an MCP tool call answered. */
export interface ToolAnswer {
  status: number;
  text: string;
  isError: boolean;
  /** The JSON-RPC error or WWW-Authenticate challenge when the HTTP layer refused the call. */
  refusal: string;
}

/**
 * A handle on `kv` that is a different object from it (and from every other view): every property and method is
 * `kv`'s, so reads and writes reach the same store, while caches keyed by the handle are the view's own.
 */
export function instanceView(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Builds `count` instances (started at once, as isolates are) on one in-memory store, in path addressing with
 * the dashboard's fake handle resolver. `overrides` go into every instance's configuration.
 */
export async function setupCluster(count = 2, overrides: Partial<Config> = {}): Promise<Cluster> {
  const kv = await Deno.openKv(":memory:");
  const config = testConfig({ publicOrigin: CLUSTER_ORIGIN, ...overrides });
  const atproto = fakeAtprotoLogin();
  const instances = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const view = instanceView(kv);
    const { app } = await appFixture({ config, kv: view, app: { identity: fakeIdentity(), atproto } });
    return { name: String.fromCharCode(65 + i), app, kv: view };
  }));
  const first = instances[0].app;
  return {
    config,
    kv,
    instances,
    async signIn(person) {
      const did = PEOPLE[person];
      await upsertUserOnLogin(first.deps.kv, { did, handle: person, displayName: null });
      const { id } = await first.deps.sessions.create({ did, handle: person, displayName: null }, CLUSTER_ORIGIN);
      const headers = { cookie: `rw_session=${id}` };
      const get = (on: Instance, path: string) => on.app.fetch(new Request(CLUSTER_ORIGIN + path, { headers }));
      return {
        did,
        handle: person,
        sessionId: id,
        get,
        async page(on, path) {
          const res = await get(on, path);
          const text = await res.text();
          if (res.status !== 200) throw new Error(`${on.name} GET ${path}: ${res.status}\n${text.slice(0, 500)}`);
          return text;
        },
        async post(on, path, fields, purpose) {
          const body = new URLSearchParams(fields);
          body.set("csrf", await csrfToken(on.app.deps.keys, id, purpose));
          return await on.app.fetch(
            new Request(CLUSTER_ORIGIN + path, {
              method: "POST",
              headers: { ...headers, "content-type": "application/x-www-form-urlencoded", origin: CLUSTER_ORIGIN },
              body,
            }),
          );
        },
      };
    },
    close: () => {
      kv.close();
      return Promise.resolve();
    },
  };
}

/** Calls the MCP tool `name` of wiki `slug` on instance `on` with a bearer token (one stateless JSON-RPC POST). */
export async function callTool(
  on: Instance,
  slug: string,
  token: string,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolAnswer> {
  const res = await mcpCall(on.app, on.app.deps.urls.mcp(slug), token, name, args);
  const body = await res.text();
  if (res.status !== 200) {
    return { status: res.status, text: "", isError: true, refusal: `${res.headers.get("www-authenticate")} ${body}` };
  }
  const msg = JSON.parse(body) as {
    result?: { content: { text?: string }[]; isError?: boolean };
    error?: { message: string };
  };
  if (!msg.result) return { status: res.status, text: "", isError: true, refusal: msg.error?.message ?? body };
  return {
    status: res.status,
    text: msg.result.content.map((c) => c.text ?? "").join("\n"),
    isError: msg.result.isError === true,
    refusal: "",
  };
}
