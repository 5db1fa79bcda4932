/**
 * @module
 * Deno KV backed stores and the Deno runtime for `@atproto/oauth-client`.
 *
 * The library keeps a `dpopKey` (a `JoseKey` instance) in both its state and session values. KV's structured clone
 * drops class prototypes, so the stores save the key's private JWK and rebuild the key with `JoseKey.fromJWK` on
 * read. Every value carries `expiresAt` (lib/kv/expiring.ts): KV's `expireIn` alone leaves expired keys readable for
 * up to a minute.
 *
 * Both values hold secrets (the DPoP private key; the session's access and refresh tokens), so they are sealed at
 * rest (lib/kv/sealed.ts: AES-256-GCM, bound to their KV key) as `{ sealed, expiresAt }`. A plaintext value written
 * before sealing existed is still read, and sealed on its next write; a value that does not open (tampered, or
 * sealed under a secret the registry no longer keeps) reads as absent: the person signs in again.
 */
import { JoseKey } from "@atproto/jwk-jose";
import {
  type InternalStateData,
  type Key,
  requestLocalLock,
  type RuntimeImplementation,
  type Session,
  type SessionStore,
  type StateStore,
} from "@atproto/oauth-client";
import { fitsKeyPart, type KeyPrefix, parseKeyPrefixes, type StorePart } from "../kv/keys.ts";
import { getLive, setExpiring } from "../kv/expiring.ts";
import {
  createSealer,
  ephemeralSealer,
  isSealed,
  type SealedValue,
  type Sealer,
  type SecretVersion,
} from "../kv/sealed.ts";

/** How long a started login may take until the callback: sign-in at the PDS, maybe with an email code. */
export const ATPROTO_STATE_TTL_MS = 15 * 60 * 1000;
/** How long an ATProto session (tokens kept only to revoke them at logout) is kept; refreshed on every update. */
export const ATPROTO_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Options shared by the KV stores. */
export interface KvStoreOptions {
  /** Lifetime of a value from its last write, in ms. */
  ttlMs?: number;
  /** Clock (ms since epoch), injectable for tests. */
  now?: () => number;
  /** Seals the values at rest; without one (code run without the key registry), a per-process random key. */
  sealer?: Sealer;
}

/** HKDF `info` of the AES key that seals ATProto states and sessions (see {@link atprotoSealer}). */
export const ATPROTO_SEAL_INFO = "robot.wtf atproto-session v1";

/** A stored value: sealed (with its expiry outside, readable without opening), or a legacy plaintext value. */
type AtRest<T> = { sealed: SealedValue } | T;

/** Reads a stored value: opens a sealed one (null when it does not open), passes a legacy plaintext one through. */
async function openAtRest<T>(sealer: Sealer, value: AtRest<T>, aad: string, what: string): Promise<T | null> {
  if (typeof value !== "object" || value === null || !("sealed" in value)) return value as T;
  if (!isSealed(value.sealed)) return null;
  const opened = await sealer.open<T>(value.sealed, aad);
  if (opened === null) console.warn(`${what}: a sealed value did not open (tampered or unknown key); ignored`);
  return opened;
}

/** KV keys of the ATProto OAuth client. */
export const AtprotoKeys = {
  /** A pending ATProto login, by its OAuth `state` (expiring: the PKCE verifier, DPoP key, issuer, app state). */
  atprotoState: (state: string) => ["atproto_state", state] as const,
  /** A person's ATProto OAuth session (DPoP key and tokens) at their PDS, by DID (expiring). */
  atprotoSession: (did: string) => ["atproto_session", did] as const,
} as const;

/** The ATProto client's prefixes. */
export const ATPROTO_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  global atproto_state    a pending ATProto login, by OAuth state
  user   atproto_session  a person's ATProto OAuth session at their PDS
`);

/**
 * The ATProto client's records as a store part: it keeps nothing of a wiki, and of a person only their session at
 * the PDS. Account deletion first asks the PDS to revoke it (logout), then forgets it here, so that the sealed tokens
 * do not outlive the account when the PDS could not be reached. Pending logins (`atproto_state`) name no person and
 * expire within 15 minutes.
 */
export const ATPROTO_STORE: StorePart = {
  part: "lib/atproto/stores.ts",
  prefixes: ATPROTO_PREFIXES,
  forgetWiki: () => Promise.resolve(0),
  async forgetUser(kv, did) {
    if (!fitsKeyPart(did)) return 0;
    const key = AtprotoKeys.atprotoSession(did);
    if ((await kv.get(key)).versionstamp === null) return 0;
    await kv.delete(key);
    return 1;
  },
};

/** A state value as stored: the library's value with the DPoP key replaced by its private JWK. */
interface StoredState extends Omit<InternalStateData, "dpopKey"> {
  dpopJwk: Record<string, unknown>;
}

/** A session value as stored: the library's value with the DPoP key replaced by its private JWK. */
interface StoredSession extends Omit<Session, "dpopKey"> {
  dpopJwk: Record<string, unknown>;
}

/** The pending-login store, `["atproto_state", state]`, expiring after `ttlMs` (default 15 minutes). */
export function kvStateStore(kv: Deno.Kv, options: KvStoreOptions = {}): StateStore {
  const ttlMs = options.ttlMs ?? ATPROTO_STATE_TTL_MS;
  const now = options.now ?? Date.now;
  const sealer = options.sealer ?? ephemeralSealer(ATPROTO_SEAL_INFO);
  return {
    async get(state) {
      // The state comes back in the callback's query string: one too long for a KV key names no login.
      if (!fitsKeyPart(state)) return undefined;
      const { value } = await getLive<AtRest<StoredState>>(kv, AtprotoKeys.atprotoState(state), now());
      if (!value) return undefined;
      const { expiresAt: _expiresAt, ...stored } = value;
      const opened = await openAtRest<StoredState>(
        sealer,
        stored,
        aadOf(AtprotoKeys.atprotoState(state)),
        "atproto state",
      );
      if (!opened) return undefined;
      const { dpopJwk, ...rest } = opened;
      return { ...rest, dpopKey: await JoseKey.fromJWK(dpopJwk) };
    },
    async set(state, data) {
      const { dpopKey, ...rest } = data;
      const stored: StoredState = { ...rest, dpopJwk: privateJwkOf(dpopKey) };
      const sealed = await sealer.seal(stored, aadOf(AtprotoKeys.atprotoState(state)));
      await setExpiring(kv.atomic(), AtprotoKeys.atprotoState(state), { sealed }, ttlMs, now()).commit();
    },
    async del(state) {
      if (fitsKeyPart(state)) await kv.delete(AtprotoKeys.atprotoState(state));
    },
  };
}

/** The session store, `["atproto_session", did]`, expiring `ttlMs` (default 30 days) after the last write. */
export function kvSessionStore(kv: Deno.Kv, options: KvStoreOptions = {}): SessionStore {
  const ttlMs = options.ttlMs ?? ATPROTO_SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const sealer = options.sealer ?? ephemeralSealer(ATPROTO_SEAL_INFO);
  return {
    async get(did) {
      const { value } = await getLive<AtRest<StoredSession>>(kv, AtprotoKeys.atprotoSession(did), now());
      if (!value) return undefined;
      const { expiresAt: _expiresAt, ...stored } = value;
      const opened = await openAtRest<StoredSession>(
        sealer,
        stored,
        aadOf(AtprotoKeys.atprotoSession(did)),
        "atproto session",
      );
      if (!opened) return undefined;
      const { dpopJwk, ...rest } = opened;
      return { ...rest, dpopKey: await JoseKey.fromJWK(dpopJwk) };
    },
    async set(did, session) {
      const { dpopKey, ...rest } = session;
      const stored: StoredSession = { ...rest, dpopJwk: privateJwkOf(dpopKey) };
      const sealed = await sealer.seal(stored, aadOf(AtprotoKeys.atprotoSession(did)));
      await setExpiring(kv.atomic(), AtprotoKeys.atprotoSession(did), { sealed }, ttlMs, now()).commit();
    },
    async del(did) {
      await kv.delete(AtprotoKeys.atprotoSession(did));
    },
  };
}

/**
 * The Deno runtime for the OAuth client: WebCrypto digests and random values, ES256 (or whatever the server
 * accepts) keys from `JoseKey.generate`, and an IN-PROCESS lock. The lock only serialises token refreshes of one
 * session; the app runs one process per KV store (docs/atproto-login.md), and a refresh race across instances would
 * at worst invalidate that one ATProto session (the person signs in again), never the app's own login session.
 */
export const denoRuntime: RuntimeImplementation = {
  createKey: (algs) => JoseKey.generate(algs),
  getRandomValues: (length) => crypto.getRandomValues(new Uint8Array(length)),
  digest: async (data, { name }) => {
    const algorithm = DIGESTS[name];
    if (!algorithm) throw new TypeError(`Unsupported digest algorithm: ${name}`);
    return new Uint8Array(await crypto.subtle.digest(algorithm, data));
  },
  requestLock: requestLocalLock,
};

/**
 * The sealer of ATProto states and sessions: AES keys derived from the registry's `session` secret (kept 30 days
 * after a rotation, as long as an ATProto session lives without a write), under {@link ATPROTO_SEAL_INFO}.
 */
export function atprotoSealer(keys: { secretVersions(name: "session"): SecretVersion[] }): Sealer {
  return createSealer(() => keys.secretVersions("session"), ATPROTO_SEAL_INFO);
}

/** Additional authenticated data of a record: its KV key, so a sealed value opens only where it was written. */
function aadOf(key: readonly unknown[]): string {
  return JSON.stringify(key);
}

const DIGESTS: Record<string, string> = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };

function privateJwkOf(key: Key): Record<string, unknown> {
  const jwk = key.privateJwk;
  if (!jwk) throw new TypeError("The DPoP key has no private JWK to store");
  return { ...jwk };
}
