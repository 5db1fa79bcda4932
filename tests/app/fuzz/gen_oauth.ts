/**
 * @module
 * OAuth requests to the wiki's authorization server: `/register` (mutated DCR documents and broken bodies),
 * `/authorize` (each parameter replaced, dropped or repeated; signed out, non-member and owner; consent answers),
 * `/token` (both grants with real and forged codes, refresh tokens and client credentials), `/revoke`, and the
 * metadata documents.
 */
import type { Rng } from "./rng.ts";
import type { FuzzCase } from "./oracle.ts";
import { WHO, type World } from "./world.ts";
import { encodeAny, hostileJson, hostileString, rawForm, rawValue } from "./values.ts";
import { describe, headerSafe } from "./gen_mcp.ts";
import { CALLBACK, CLAUDE_DCR } from "../../routes/wiki/oauth/http_helpers.ts";

const FORM = "application/x-www-form-urlencoded";

/** A client id: a registered confidential or public one, a metadata-document URL, or hostile. */
function clientId(rng: Rng, w: World): string {
  return rng.pick([
    w.bait.clientId,
    w.publicClientId,
    "https://client.example/metadata.json",
    hostileString(rng),
    "rwc_" + hostileString(rng),
  ]);
}

/** Fields, each kept, replaced by a raw hostile value, dropped or repeated. */
function mutateFields(rng: Rng, base: [string, string][]): { fields: [string, string][]; note: string } {
  const fields: [string, string][] = [];
  const notes: string[] = [];
  for (const [k, v] of base) {
    const r = rng.next();
    if (r < 0.6) fields.push([k, encodeAny(v)]);
    else if (r < 0.85) {
      const raw = rawValue(rng);
      fields.push([k, raw]);
      notes.push(`${k}=${describe(raw)}`);
    } else if (r < 0.95) notes.push(`${k} dropped`);
    else {
      fields.push([k, encodeAny(v)], [k, rawValue(rng)]);
      notes.push(`${k} twice`);
    }
  }
  if (rng.chance(0.1)) {
    const extra = rng.pick(["request", "request_uri", "prompt", "__proto__", "nonce", "response_mode"]);
    fields.push([extra, rawValue(rng)]);
    notes.push(`extra ${extra}`);
  }
  return { fields, note: notes.join(" ") };
}

function registerCase(rng: Rng, w: World): FuzzCase {
  const url = w.f.urls.wiki("alice", "/register");
  if (rng.chance(0.2)) {
    const body = rng.pick(["", "{", "null", "[]", '"x"', "client_name=x", JSON.stringify(hostileJson(rng))]);
    const type = rng.pick(["application/json", FORM, "text/plain", ""]);
    return {
      label: `register raw ${describe(body)} as ${type}`,
      method: "POST",
      url,
      headers: { "content-type": type },
      body,
    };
  }
  const doc: Record<string, unknown> = { ...CLAUDE_DCR };
  const notes: string[] = [];
  for (const k of [...Object.keys(doc), "client_uri", "logo_uri", "scope", "contacts", "software_id", "jwks_uri"]) {
    if (!rng.chance(0.3)) continue;
    doc[k] = rng.chance(0.5)
      ? hostileString(rng)
      : k === "redirect_uris" && rng.chance(0.5)
      ? Array.from({ length: rng.int(0, 12) }, () => rng.chance(0.5) ? CALLBACK : hostileString(rng))
      : hostileJson(rng);
    notes.push(`${k}=${describe(doc[k])}`);
  }
  return {
    label: `register ${notes.join(" ")}`,
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(doc),
  };
}

function authorizeCase(rng: Rng, w: World): FuzzCase {
  const who = rng.pick(WHO);
  const headers: Record<string, string> = {};
  const cookie = w.wiki[who].cookie;
  if (cookie) headers.cookie = cookie;
  const url = w.f.urls.wiki("alice", "/authorize");
  if (rng.chance(0.25)) {
    const { fields, note } = mutateFields(rng, [
      ["request_id", hostileString(rng)],
      ["csrf", w.wiki[who].csrf ?? "x"],
      ["decision", rng.pick(["approve", "deny", "maybe"])],
    ]);
    return {
      label: `authorize POST as ${who} ${note}`,
      method: "POST",
      url,
      headers: { ...headers, "content-type": FORM },
      body: rawForm(fields),
    };
  }
  const { fields, note } = mutateFields(rng, [
    ["response_type", "code"],
    ["client_id", clientId(rng, w)],
    ["redirect_uri", CALLBACK],
    ["code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
    ["code_challenge_method", "S256"],
    ["state", "st"],
    ["scope", "wiki:read wiki:write"],
    ["resource", w.f.urls.mcp("alice")],
  ]);
  return { label: `authorize GET as ${who} ${note}`, method: "GET", url: `${url}?${rawForm(fields)}`, headers };
}

function tokenCase(rng: Rng, w: World): FuzzCase {
  const grant = rng.pick(["authorization_code", "refresh_token", "client_credentials", "password", hostileString(rng)]);
  const base: [string, string][] = [["grant_type", grant]];
  if (grant === "refresh_token") base.push(["refresh_token", rng.pick([w.bait.refresh, hostileString(rng)])]);
  else {
    base.push(
      ["code", rng.pick(["rwac_g_aaaaaaaaaaaaaaaaaaaa." + "b".repeat(43), hostileString(rng)])],
      ["code_verifier", hostileString(rng)],
      ["redirect_uri", CALLBACK],
    );
  }
  const id = clientId(rng, w);
  base.push(["client_id", id], ["resource", w.f.urls.mcp("alice")]);
  if (w.bait.secret && rng.chance(0.5)) base.push(["client_secret", rng.pick([w.bait.secret, hostileString(rng)])]);
  if (rng.chance(0.2)) base.push(["scope", hostileString(rng)]);
  return formPost(rng, w, "/token", base, `token ${describe(grant)}`);
}

function revokeCase(rng: Rng, w: World): FuzzCase {
  const base: [string, string][] = [
    ["token", rng.pick([w.bait.access, w.bait.refresh, hostileString(rng)])],
    ["token_type_hint", rng.pick(["access_token", "refresh_token", hostileString(rng)])],
    ["client_id", clientId(rng, w)],
  ];
  if (w.bait.secret && rng.chance(0.5)) base.push(["client_secret", rng.pick([w.bait.secret, hostileString(rng)])]);
  return formPost(rng, w, "/revoke", base, "revoke");
}

/** A form POST to a token-style endpoint, with odd bodies and client_secret_basic headers mixed in. */
function formPost(rng: Rng, w: World, path: string, base: [string, string][], what: string): FuzzCase {
  const url = w.f.urls.wiki("alice", path);
  const { fields, note } = mutateFields(rng, base);
  const headers: Record<string, string> = {
    "content-type": rng.chance(0.9) ? FORM : rng.pick(["application/json", "text/plain", ""]),
  };
  if (rng.chance(0.15)) {
    headers.authorization = rng.chance(0.5)
      ? "Basic " + base64Utf8(`${hostileString(rng)}:${hostileString(rng)}`)
      : headerSafe("Basic " + hostileString(rng));
  }
  const body = rng.chance(0.05) ? JSON.stringify(Object.fromEntries(base)) : rawForm(fields);
  return { label: `${what} ${note}${headers.authorization ? " +basic" : ""}`, method: "POST", url, headers, body };
}

/** Standard base64 of the UTF-8 bytes of `text`. */
function base64Utf8(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function metadataCase(rng: Rng, w: World): FuzzCase {
  const path = rng.pick([
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/oauth-authorization-server/mcp",
  ]);
  const method = rng.pick(["GET", "GET", "OPTIONS", "POST", "DELETE"]);
  return {
    label: `metadata ${method} ${path}`,
    method,
    url: w.f.urls.wiki("alice", path),
    headers: { origin: "https://evil.example" },
  };
}

/** One OAuth request. */
export function oauthCase(rng: Rng, w: World): FuzzCase {
  switch (rng.weighted({ register: 2, authorize: 3, token: 3, revoke: 1.5, metadata: 0.5 })) {
    case "register":
      return registerCase(rng, w);
    case "authorize":
      return authorizeCase(rng, w);
    case "token":
      return tokenCase(rng, w);
    case "revoke":
      return revokeCase(rng, w);
    default:
      return metadataCase(rng, w);
  }
}
