/**
 * @module
 * MCP requests: `tools/call` of every tool with hostile arguments derived from its input schema (valid values,
 * hostile strings, wrong types, missing and extra fields), malformed JSON and JSON-RPC envelopes, other methods,
 * and odd transport headers, with valid, read-only, wrong-wiki, OAuth, garbage and missing bearer tokens.
 */
import type { Rng } from "./rng.ts";
import type { FuzzCase } from "./oracle.ts";
import type { ToolSchema, World } from "./world.ts";
import { hostileInteger, hostileJson, hostileString, longString } from "./values.ts";

/** Plausible values per argument name (so that hostile values reach code past the first lookups). */
function validValue(rng: Rng, w: World, name: string): unknown {
  switch (name) {
    case "path":
    case "new_path":
    case "prefix":
      return rng.pick(["Home", "Notes/Sub", "Missing", "Notes/", "New page"]);
    case "revision":
    case "from_revision":
    case "to_revision":
      return rng.pick([w.homeRevision, w.homeRevision.slice(0, 7), "0000000"]);
    case "filename":
      return rng.pick(["a.txt", "b.png", "A.TXT"]);
    case "content":
      return rng.pick(["aGVsbG8=", "# Page\n\nText with [[Home]].\n", ""]);
    case "limit":
      return rng.pick([1, 5, 200]);
    case "query":
      return rng.pick(["home", "sub", "a b"]);
    case "old_string":
      return "Home";
    case "new_string":
      return "House";
    case "section":
      return rng.pick(["Home", "Sub", "A > B"]);
    case "updated_since":
      return rng.pick(["2026-01-31", "1970-01-01T00:00:00Z"]);
    default:
      return rng.pick(["a", "c"]);
  }
}

/** Arguments for `tool`: each field valid, hostile or of the wrong type; sometimes missing or with extras. */
export function toolArgs(rng: Rng, w: World, tool: ToolSchema): { args: unknown; note: string } {
  if (rng.chance(0.04)) {
    const args = hostileJson(rng);
    return { args, note: `arguments=${describe(args)}` };
  }
  const args: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const [name, prop] of Object.entries(tool.properties)) {
    const required = tool.required.includes(name);
    const r = rng.next();
    if (r < 0.45) {
      if (required || rng.chance(0.5)) args[name] = validValue(rng, w, name);
    } else if (r < 0.85) {
      args[name] = prop.type === "integer" ? hostileInteger(rng) : hostileString(rng);
      notes.push(`${name}=${describe(args[name])}`);
    } else if (r < 0.95) {
      args[name] = hostileJson(rng);
      notes.push(`${name}=${describe(args[name])}`);
    } else notes.push(`${name} missing`);
  }
  if (rng.chance(0.1)) {
    const extra = rng.pick(["__proto__", "constructor", "x", "path ", "PATH"]);
    args[extra] = hostileJson(rng);
    notes.push(`extra ${extra}`);
  }
  return { args, note: notes.join(" ") };
}

/** A short description of a value for labels. */
export function describe(v: unknown): string {
  if (typeof v === "string") {
    return v.length > 40 ? `string(${v.length}) ${JSON.stringify(v.slice(0, 20))}…` : JSON.stringify(v);
  }
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${Array.isArray(v) ? "array" : typeof v}(${s.length} chars)` : s;
}

/** The bearer credential of an MCP request. */
function authorization(rng: Rng, w: World): { header: string | null; note: string } {
  const kind = rng.weighted({ rw: 6, ro: 2, oauth: 2, bob: 1, garbage: 1, none: 0.5, scheme: 0.5 });
  switch (kind) {
    case "rw":
      return { header: `Bearer ${rng.pick(w.rwTokens)}`, note: "rw" };
    case "ro":
      return { header: `Bearer ${w.roToken}`, note: "ro" };
    case "oauth":
      return { header: `Bearer ${w.oauth.access}`, note: "oauth" };
    case "bob":
      return { header: `Bearer ${w.bobToken}`, note: "bob-token" };
    case "garbage":
      return { header: `Bearer ${headerSafe(hostileString(rng))}`, note: "garbage-token" };
    case "scheme":
      return { header: rng.pick(["Basic YTpi", "Bearer", "bearer  x", "DPoP x", "Bearer a b"]), note: "odd-scheme" };
    default:
      return { header: null, note: "no-token" };
  }
}

/** A header value made sendable (no CR, LF, NUL or characters above U+00FF; trimmed). */
export function headerSafe(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?").trim();
}

const METHODS = [
  "initialize",
  "tools/list",
  "ping",
  "resources/list",
  "prompts/list",
  "notifications/initialized",
  "logging/setLevel",
  "completion/complete",
  "server/discover",
  "tools/call",
];

const VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2026-07-28", "2024-11-05", "9999-99-99", ""];

/** One MCP request. */
export function mcpCase(rng: Rng, w: World): FuzzCase {
  const auth = authorization(rng, w);
  const headers: Record<string, string> = {
    "content-type": rng.chance(0.92)
      ? "application/json"
      : rng.pick(["text/plain", "", "application/json; charset=latin1"]),
    accept: rng.chance(0.9)
      ? "application/json, text/event-stream"
      : rng.pick(["text/event-stream", "*/*", "", "text/html"]),
  };
  if (auth.header !== null) headers.authorization = auth.header;
  if (rng.chance(0.3)) headers["mcp-protocol-version"] = rng.pick(VERSIONS);
  if (rng.chance(0.05)) headers["mcp-session-id"] = headerSafe(hostileString(rng));
  if (rng.chance(0.05)) headers.origin = rng.pick(["https://evil.example", "null", w.origin]);
  const url = rng.chance(0.97) ? w.f.urls.mcp("alice") : w.f.urls.mcp("bob");
  const method = rng.chance(0.95) ? "POST" : rng.pick(["GET", "DELETE", "PUT", "OPTIONS", "HEAD"]);
  const id = rng.chance(0.9) ? rng.int(1, 1000) : hostileJson(rng);
  const kind = rng.weighted({ call: 7, method: 1.2, envelope: 1, malformed: 0.8 });
  let body: string;
  let note: string;
  if (kind === "call") {
    const tool = rng.chance(0.97) ? rng.pick(w.tools) : null;
    const name = tool?.name ?? hostileString(rng);
    const { args, note: argNote } = tool ? toolArgs(rng, w, tool) : { args: {}, note: "" };
    const params: Record<string, unknown> = { name, arguments: args };
    if (rng.chance(0.1)) params._meta = hostileJson(rng);
    body = JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });
    note = `tools/call ${describe(name)} ${argNote}`;
  } else if (kind === "method") {
    const m = rng.pick(METHODS);
    const params = m === "initialize" && rng.chance(0.5)
      ? {
        protocolVersion: rng.chance(0.5) ? rng.pick(VERSIONS) : hostileJson(rng),
        capabilities: rng.chance(0.5) ? {} : hostileJson(rng),
        clientInfo: rng.chance(0.5) ? { name: "fuzz", version: "1" } : hostileJson(rng),
      }
      : hostileJson(rng);
    body = JSON.stringify({ jsonrpc: "2.0", id, method: m, params });
    note = `${m} params=${describe(params)}`;
  } else if (kind === "envelope") {
    const env: Record<string, unknown> = { jsonrpc: "2.0", id, method: "tools/list" };
    const field = rng.pick(["jsonrpc", "id", "method", "params"]);
    env[field] = hostileJson(rng);
    const batch = rng.chance(0.2);
    body = JSON.stringify(batch ? [env, env] : env);
    note = `envelope ${field}=${describe(env[field])}${batch ? " (batch)" : ""}`;
  } else {
    const valid = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "read_note", arguments: { path: "Home" } },
    });
    body = rng.pick([
      "",
      "{",
      "null",
      "[]",
      "[1,2]",
      '"x"',
      valid.slice(0, rng.int(1, valid.length - 1)),
      valid + "garbage",
      "[".repeat(rng.int(100, 20_000)) + "]".repeat(10),
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_note","arguments":{"path":"\\ud800"}}}',
      longString(rng, rng.int(100, 5000)),
      JSON.stringify(Array.from({ length: rng.int(2, 200) }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" }))),
    ]);
    note = `malformed body ${describe(body)}`;
  }
  return {
    label: `mcp ${method} [${auth.note}] ${note}`,
    method,
    url,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  };
}
