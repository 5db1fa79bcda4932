/**
 * @module
 * Key registry: every secret the app needs, named with its purpose, kid and rotation story.
 *
 * | Key              | Kind        | Protects                                      | Rotate: new current, keep previous for       |
 * | ---------------- | ----------- | --------------------------------------------- | -------------------------------------------- |
 * | `token-hash`     | HMAC-SHA256 | KV lookup key of MCP bearer tokens            | until all older tokens are revoked (365 d)   |
 * | `session`        | HMAC-SHA256 | KV key of browser sessions and handoffs;      | 30 d (the session lifetime): no sign-outs    |
 * |                  |             | HKDF input of the ATProto session seal key    |                                              |
 * | `csrf`           | HMAC-SHA256 | CSRF tokens of forms                          | 1 d (a form left open overnight still posts) |
 * | `atproto-client` | ES256 pair  | ATProto `private_key_jwt` client assertions   | none: replace; old ATProto sessions re-login |
 *
 * A symmetric key is `{ current: { kid, secret }, previous: [{ kid, secret }] }`: `hmac` and `secret` use the
 * current one, `hmacAll` tries current then previous, so a value made under an old secret still verifies while the
 * old secret stays in `previous`. To rotate: generate a new secret (`deno run scripts/gen_keys.ts`), make it
 * `current`, move the old current to the front of `previous`, and remove it after the period in the table.
 *
 * Where keys come from:
 * - `ROBOT_KEYS` set (`config.keysJson`, required in production): the JSON below, validated at start; a missing or
 *   malformed key stops the app with a message naming it.
 * - otherwise (development): from KV under `["secret", name]` as `{ current: { kid, material, createdAt },
 *   previous: [...] }`, generated on first start with an insert-if-absent commit, so two processes starting on the
 *   same store agree on one set.
 *
 * ```json
 * { "token-hash": { "current": { "kid": "token-hash-20261126-a1b2", "secret": "<base64url, 32 bytes>" },
 *                   "previous": [] },
 *   "session": { ... }, "csrf": { ... },
 *   "atproto-client": { "kid": "atproto-client-20261126-c3d4", "privateJwk": { "kty": "EC", "crv": "P-256", ... } } }
 * ```
 */
import type { Config } from "./config.ts";
import { type KeyPrefix, parseKeyPrefixes } from "./kv/keys.ts";

/** KV keys of the key registry. */
export const SecretKeys = {
  /** A named secret: `{ current, previous[] }`. */
  secret: (name: string) => ["secret", name] as const,
} as const;

/** The key registry's prefix. */
export const SECRET_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  global secret  a named secret of the key registry (development KV)
`);
import { base64url, randomHex, toHex } from "./ids.ts";

/** Names of the registry's keys. */
export type KeyName =
  | "token-hash"
  | "session"
  | "csrf"
  | "atproto-client";

/** The loaded key registry. */
export interface KeyRing {
  /** HMAC-SHA256 of `data` under the CURRENT secret of a symmetric key, lowercase hex. */
  hmac(name: Exclude<KeyName, "atproto-client">, data: string): Promise<string>;
  /** HMACs under the current and every previous secret (current first): for verifying during rotation. */
  hmacAll(name: Exclude<KeyName, "atproto-client">, data: string): Promise<string[]>;
  /** Raw bytes and kid of the current secret of a symmetric key (e.g. for HS256 signing). */
  secret(name: Exclude<KeyName, "atproto-client">): { kid: string; bytes: Uint8Array };
  /** Kid and raw bytes of the current and every kept previous secret of a symmetric key (current first). */
  secretVersions(name: Exclude<KeyName, "atproto-client">): { kid: string; bytes: Uint8Array }[];
  /** The ATProto client's ES256 key pair as JWKs (private includes `d`), with its kid. */
  atprotoClientKey(): { kid: string; privateJwk: JsonWebKey; publicJwk: JsonWebKey };
}

/** Name of a symmetric (HMAC-SHA256) key. */
export type SymmetricKeyName = Exclude<KeyName, "atproto-client">;

/** What kind of material a key holds. */
export type KeyKind = "hmac-sha256" | "es256";

/** Static description of a key. */
export interface KeySpec {
  /** What the key protects, in one line. */
  purpose: string;
  kind: KeyKind;
  /** Days a replaced secret stays in `previous` (see the module's rotation table). */
  keepPreviousDays: number;
}

/** Every key of the registry, with its purpose and rotation period. */
export const KEY_SPECS: Readonly<Record<KeyName, KeySpec>> = {
  "token-hash": {
    purpose: "KV lookup key of MCP bearer tokens (HMAC of the token; the token itself is never stored)",
    kind: "hmac-sha256",
    keepPreviousDays: 365,
  },
  "session": {
    purpose: "KV key of browser sessions and sign-in handoffs (HMAC of the session id); seals ATProto sessions (HKDF)",
    kind: "hmac-sha256",
    keepPreviousDays: 30,
  },
  "csrf": { purpose: "CSRF tokens of forms", kind: "hmac-sha256", keepPreviousDays: 1 },
  "atproto-client": {
    purpose: "ES256 key of the ATProto OAuth client (private_key_jwt client assertions, published in its JWKS)",
    kind: "es256",
    keepPreviousDays: 0,
  },
};

/** All key names, in registry order. */
export const KEY_NAMES: readonly KeyName[] = Object.keys(KEY_SPECS) as KeyName[];

/** Bytes of a generated HMAC secret; a configured secret must have at least this many. */
export const SECRET_BYTES = 32;

/** One version of a key as stored in KV (development): HMAC material is base64url, ES256 material a private JWK. */
export interface StoredKeyVersion {
  kid: string;
  material: string | JsonWebKey;
  createdAt: number;
  /** When it stopped being current (versions in `previous` only). */
  retiredAt?: number;
}

/** Value of `["secret", name]` in KV. */
export interface StoredKey {
  current: StoredKeyVersion;
  previous: StoredKeyVersion[];
}

/** A key without its secret: for docs and admin pages. */
export interface KeyDescription {
  name: KeyName;
  purpose: string;
  kid: string;
  kind: KeyKind;
}

/** Loads the registry: from `config.keysJson` when set (always in production), else from KV (generated on first start). */
export async function loadKeyRing(kv: Deno.Kv, config: Config, now: () => number = Date.now): Promise<KeyRing> {
  if (config.keysJson) return await keyRingFromJson(config.keysJson);
  if (config.env === "production") {
    throw new Error("production needs ROBOT_KEYS: generate it with `deno run scripts/gen_keys.ts` (see docs/keys.md)");
  }
  const stored = {} as Record<KeyName, StoredKey>;
  for (const name of KEY_NAMES) stored[name] = await loadOrCreateStored(kv, name, now);
  return await buildRing(toLoaded(stored));
}

/** Lists every key's name, purpose, kind and current kid (no secret material). */
export function describeKeys(ring: KeyRing): KeyDescription[] {
  return KEY_NAMES.map((name) => {
    const spec = KEY_SPECS[name];
    const kid = name === "atproto-client" ? ring.atprotoClientKey().kid : ring.secret(name).kid;
    return { name, purpose: spec.purpose, kid, kind: spec.kind };
  });
}

/** A new kid: `{name}-{yyyymmdd}-{4 hex chars}`. */
export function newKid(name: KeyName, now = Date.now()): string {
  return `${name}-${new Date(now).toISOString().slice(0, 10).replaceAll("-", "")}-${randomHex(2)}`;
}

/** A new random HMAC secret, base64url (32 bytes). */
export function newSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** A new ES256 (P-256) private key as a JWK (`kty, crv, x, y, d`, no `ext`/`key_ops`). */
export async function newEs256PrivateJwk(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d };
}

/** A complete, fresh `ROBOT_KEYS` value (what scripts/gen_keys.ts prints). */
export async function generateKeysJson(now = Date.now()): Promise<Record<KeyName, unknown>> {
  const out = {} as Record<KeyName, unknown>;
  for (const name of KEY_NAMES) {
    out[name] = name === "atproto-client"
      ? { kid: newKid(name, now), privateJwk: await newEs256PrivateJwk() }
      : { current: { kid: newKid(name, now), secret: newSecret() }, previous: [] };
  }
  return out;
}

/**
 * Rotates a key stored in KV (development): a new current, the old current first in `previous`, and previous
 * versions older than the key's `keepPreviousDays` dropped. Returns the new stored value. Production keys are
 * rotated by editing `ROBOT_KEYS` instead.
 */
export async function rotateStoredKey(kv: Deno.Kv, name: KeyName, now: () => number = Date.now): Promise<StoredKey> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<StoredKey>(SecretKeys.secret(name));
    const t = now();
    const fresh = await newStoredVersion(name, t);
    const keepMs = KEY_SPECS[name].keepPreviousDays * 24 * 60 * 60 * 1000;
    const previous = entry.value === null ? [] : [{ ...entry.value.current, retiredAt: t }, ...entry.value.previous]
      .filter((v) => t - (v.retiredAt ?? v.createdAt) < keepMs);
    const next: StoredKey = { current: fresh, previous: KEY_SPECS[name].kind === "es256" ? [] : previous };
    const res = await kv.atomic().check(entry).set(SecretKeys.secret(name), next).commit();
    if (res.ok) return next;
  }
  throw new Error(`could not rotate key ${name}: the store kept changing; try again`);
}

// ---- internals ----

/** One usable symmetric version. */
interface SymmetricVersion {
  kid: string;
  bytes: Uint8Array;
}

/** Keys after parsing, before building the ring. */
interface LoadedKeys {
  symmetric: Record<SymmetricKeyName, { current: SymmetricVersion; previous: SymmetricVersion[] }>;
  atproto: { kid: string; privateJwk: JsonWebKey };
}

async function newStoredVersion(name: KeyName, now: number): Promise<StoredKeyVersion> {
  const material = KEY_SPECS[name].kind === "es256" ? await newEs256PrivateJwk() : newSecret();
  return { kid: newKid(name, now), material, createdAt: now };
}

/** Reads a stored key, or inserts a new one if absent; if another process inserted first, uses theirs. */
async function loadOrCreateStored(kv: Deno.Kv, name: KeyName, now: () => number): Promise<StoredKey> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<StoredKey>(SecretKeys.secret(name));
    if (entry.value !== null) return entry.value;
    const value: StoredKey = { current: await newStoredVersion(name, now()), previous: [] };
    const res = await kv.atomic().check({ key: SecretKeys.secret(name), versionstamp: null }).set(
      SecretKeys.secret(name),
      value,
    )
      .commit();
    if (res.ok) return value;
  }
  throw new Error(`could not create key ${name} in KV`);
}

function toLoaded(stored: Record<KeyName, StoredKey>): LoadedKeys {
  const problems: string[] = [];
  const symmetric = {} as LoadedKeys["symmetric"];
  for (const name of KEY_NAMES) {
    if (name === "atproto-client") continue;
    const s = stored[name];
    const version = (v: StoredKeyVersion) => ({ kid: v.kid, bytes: decodeSecret(name, v.material, problems) });
    symmetric[name] = { current: version(s.current), previous: s.previous.map(version) };
  }
  const a = stored["atproto-client"].current;
  const atproto = { kid: a.kid, privateJwk: checkPrivateJwk(a.material, problems) };
  if (problems.length > 0) throw new Error(`stored keys in KV are damaged: ${problems.join("; ")}`);
  return { symmetric, atproto };
}

/** Parses and validates `ROBOT_KEYS`. */
async function keyRingFromJson(json: string): Promise<KeyRing> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error("ROBOT_KEYS is not valid JSON: generate it with `deno run scripts/gen_keys.ts`");
  }
  if (!isObject(parsed)) throw new Error("ROBOT_KEYS must be a JSON object keyed by key name (see docs/keys.md)");
  const missing = KEY_NAMES.filter((n) => !(n in parsed));
  if (missing.length > 0) {
    throw new Error(
      `ROBOT_KEYS is missing keys: ${missing.join(", ")}. Add them (\`deno run scripts/gen_keys.ts\` prints a ` +
        `complete set) and restart.`,
    );
  }
  const problems: string[] = [];
  const symmetric = {} as LoadedKeys["symmetric"];
  for (const name of KEY_NAMES) {
    if (name === "atproto-client") continue;
    const entry = parsed[name];
    const version = (v: unknown, where: string): SymmetricVersion => {
      if (!isObject(v) || typeof v.kid !== "string" || v.kid === "") {
        problems.push(`${name}.${where} needs a non-empty "kid"`);
        return { kid: "", bytes: new Uint8Array() };
      }
      return { kid: v.kid, bytes: decodeSecret(`${name}.${where}`, v.secret, problems) };
    };
    if (!isObject(entry) || !isObject(entry.current)) {
      problems.push(`${name} needs { "current": { "kid", "secret" }, "previous": [] }`);
      continue;
    }
    const previous = entry.previous ?? [];
    if (!Array.isArray(previous)) {
      problems.push(`${name}.previous must be an array`);
      continue;
    }
    symmetric[name] = {
      current: version(entry.current, "current"),
      previous: previous.map((v, i) => version(v, `previous[${i}]`)),
    };
  }
  const a = parsed["atproto-client"];
  let atproto: LoadedKeys["atproto"] = { kid: "", privateJwk: {} };
  if (!isObject(a) || typeof a.kid !== "string" || a.kid === "") {
    problems.push(`atproto-client needs { "kid", "privateJwk" }`);
  } else {
    atproto = { kid: a.kid, privateJwk: checkPrivateJwk(a.privateJwk, problems) };
  }
  if (problems.length > 0) throw new Error(`ROBOT_KEYS has invalid keys: ${problems.join("; ")}`);
  return await buildRing({ symmetric, atproto });
}

function decodeSecret(where: string, material: unknown, problems: string[]): Uint8Array {
  if (typeof material !== "string" || !/^[A-Za-z0-9_-]+$/.test(material)) {
    problems.push(`${where} needs "secret" as base64url text`);
    return new Uint8Array();
  }
  const b64 = material.replaceAll("-", "+").replaceAll("_", "/");
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
  } catch {
    problems.push(`${where} secret is not base64url`);
    return new Uint8Array();
  }
  if (bytes.length < SECRET_BYTES) {
    problems.push(`${where} secret has ${bytes.length} bytes, needs at least ${SECRET_BYTES}`);
  }
  return bytes;
}

function checkPrivateJwk(jwk: unknown, problems: string[]): JsonWebKey {
  const ok = isObject(jwk) && jwk.kty === "EC" && jwk.crv === "P-256" &&
    [jwk.x, jwk.y, jwk.d].every((p) => typeof p === "string" && p !== "");
  if (!ok) {
    problems.push(`atproto-client.privateJwk must be a P-256 private JWK (kty "EC", crv "P-256", x, y, d)`);
    return {};
  }
  const { kty, crv, x, y, d } = jwk as JsonWebKey;
  return { kty, crv, x, y, d };
}

async function buildRing(keys: LoadedKeys): Promise<KeyRing> {
  const cryptoKeys = new Map<Uint8Array, CryptoKey>();
  const allVersions = Object.values(keys.symmetric).flatMap((k) => [k.current, ...k.previous]);
  for (const v of allVersions) {
    cryptoKeys.set(
      v.bytes,
      await crypto.subtle.importKey(
        "raw",
        v.bytes as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        [
          "sign",
        ],
      ),
    );
  }
  const { kid, privateJwk: rawPrivate } = keys.atproto;
  try {
    await crypto.subtle.importKey("jwk", rawPrivate, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  } catch {
    throw new Error(`atproto-client key ${kid} cannot be imported: its x, y and d do not form a P-256 key`);
  }
  const privateJwk: JsonWebKey & { kid: string } = { ...rawPrivate, kid, alg: "ES256", use: "sig" };
  const { d: _d, ...publicJwk } = privateJwk;

  const symmetric = (name: SymmetricKeyName) => {
    const k = keys.symmetric[name as SymmetricKeyName] as LoadedKeys["symmetric"][SymmetricKeyName] | undefined;
    if (!k) throw new Error(`"${name}" is not a symmetric key of the registry`);
    return k;
  };
  const sign = async (v: SymmetricVersion, data: string) =>
    toHex(new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKeys.get(v.bytes)!, new TextEncoder().encode(data))));

  return {
    async hmac(name, data) {
      return await sign(symmetric(name).current, data);
    },
    async hmacAll(name, data) {
      const k = symmetric(name);
      return await Promise.all([k.current, ...k.previous].map((v) => sign(v, data)));
    },
    secret(name) {
      const { kid, bytes } = symmetric(name).current;
      return { kid, bytes: bytes.slice() };
    },
    secretVersions(name) {
      const k = symmetric(name);
      return [k.current, ...k.previous].map(({ kid, bytes }) => ({ kid, bytes: bytes.slice() }));
    },
    atprotoClientKey() {
      return { kid, privateJwk: { ...privateJwk }, publicJwk: { ...publicJwk } };
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
