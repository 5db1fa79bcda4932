/**
 * @module
 * The ATProto OAuth client: people sign in with their ATProto identity (a Bluesky handle, a DID, or a PDS URL).
 * Built on `@atproto/oauth-client` with Deno KV stores and a Deno runtime (lib/atproto/stores.ts). Scope is exactly
 * `atproto`: we learn who the person is, nothing else.
 *
 * Two client modes, chosen from the public origin (docs/atproto-login.md):
 * - `confidential` (production): client_id `{origin}/auth/client-metadata.json`, redirect `{origin}/auth/callback`,
 *   `private_key_jwt` with the key registry's ES256 key, public keys at `{origin}/auth/jwks.json`.
 * - `loopback` (local development, origin host `localhost`, `127.0.0.1` or `[::1]`): the ATProto loopback client
 *   `http://localhost?redirect_uri=…&scope=atproto`, redirect `http://127.0.0.1:{port}/auth/callback` (PDSes refuse
 *   `localhost` redirects), no client authentication.
 */
import { JoseKey } from "@atproto/jwk-jose";
import { OAuthClient, type OAuthClientMetadataInput } from "@atproto/oauth-client";
import type { KeyRing } from "../keys.ts";
import { createSafeFetch, type FetchLike } from "../net/safe_fetch.ts";
import { NegativeCache } from "../net/negative_cache.ts";
import { atprotoHandleResolver, type IdentityResolver, type LoginInput, normalizeLoginInput } from "./identity.ts";
import { callbackError, identityLoginError, LoginError, startError } from "./login_errors.ts";

export { LoginError, type LoginErrorCode } from "./login_errors.ts";
import { atprotoSealer, denoRuntime, kvSessionStore, kvStateStore } from "./stores.ts";

/** The only OAuth scope we ask for: identity. */
export const ATPROTO_SCOPE = "atproto";
/** Path of the client metadata document (confidential mode) on the platform origin. */
export const CLIENT_METADATA_PATH = "/auth/client-metadata.json";
/** Path of the public JWKS (confidential mode) on the platform origin. */
export const JWKS_PATH = "/auth/jwks.json";
/** Path of the OAuth callback on the platform origin (on `127.0.0.1` in loopback mode). */
export const CALLBACK_PATH = "/auth/callback";
/** Client name shown by PDSes on their consent page (confidential mode). */
export const CLIENT_NAME = "robot.wtf";

/** How the app presents itself to PDSes. */
export type AtprotoClientMode = "confidential" | "loopback";

/** True when the origin's host is a loopback name or address (`localhost`, `127.0.0.1`, `[::1]`). */
export function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname.toLowerCase();
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** The client mode for a public origin: `loopback` for a loopback host, else `confidential` (https required). */
export function atprotoClientMode(publicOrigin: string): AtprotoClientMode {
  if (isLoopbackOrigin(publicOrigin)) return "loopback";
  if (new URL(publicOrigin).protocol !== "https:") {
    throw new Error(
      `ATProto login needs an https PUBLIC_ORIGIN (or a loopback one: localhost, 127.0.0.1, [::1]); got ${publicOrigin}`,
    );
  }
  return "confidential";
}

/**
 * The client metadata for a public origin. In confidential mode this is the document served at
 * {@link CLIENT_METADATA_PATH}; in loopback mode PDSes derive it from the client_id and never fetch it.
 */
export function clientMetadataDocument(publicOrigin: string): OAuthClientMetadataInput {
  const origin = new URL(publicOrigin).origin;
  if (atprotoClientMode(origin) === "loopback") {
    const port = new URL(origin).port;
    const redirectUri = `http://127.0.0.1${port ? `:${port}` : ""}${CALLBACK_PATH}` as const;
    const clientId = `http://localhost?redirect_uri=${encodeURIComponent(redirectUri)}&scope=${
      encodeURIComponent(ATPROTO_SCOPE)
    }`;
    return {
      client_id: clientId,
      redirect_uris: [redirectUri],
      scope: ATPROTO_SCOPE,
      response_types: ["code"],
      grant_types: ["authorization_code", "refresh_token"],
      application_type: "native",
      token_endpoint_auth_method: "none",
      dpop_bound_access_tokens: true,
    };
  }
  const https = origin as `https://${string}`;
  return {
    client_id: `${https}${CLIENT_METADATA_PATH}`,
    client_name: CLIENT_NAME,
    client_uri: https,
    redirect_uris: [`${https}${CALLBACK_PATH}`],
    scope: ATPROTO_SCOPE,
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token"],
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    token_endpoint_auth_signing_alg: "ES256",
    dpop_bound_access_tokens: true,
    jwks_uri: `${https}${JWKS_PATH}`,
  };
}

/** A public JWK as served in {@link jwksDocument}. */
export interface PublicSigningJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: "ES256";
  use: "sig";
}

/**
 * The JWKS served at {@link JWKS_PATH}: the public half of the registry's ATProto client key, with `kid`, `alg` and
 * `use` only (no `d`, no `key_ops`: jose passes key_ops through as WebCrypto usages and verifiers then fail).
 */
export function jwksDocument(keys: Pick<KeyRing, "atprotoClientKey">): { keys: PublicSigningJwk[] } {
  const { kid, publicJwk } = keys.atprotoClientKey();
  const { kty, crv, x, y } = publicJwk;
  if (kty !== "EC" || crv !== "P-256" || !x || !y) throw new Error("The ATProto client key must be an EC P-256 key");
  return { keys: [{ kty, crv, x, y, kid, alg: "ES256", use: "sig" }] };
}

/** What {@link createAtprotoLogin} needs. */
export interface AtprotoLoginDeps {
  /** Holds pending logins and ATProto sessions (lib/atproto/stores.ts). */
  kv: Deno.Kv;
  /** The platform's public origin; picks the client mode. */
  publicOrigin: string;
  /** Key registry; its `atprotoClientKey()` signs client assertions (required in confidential mode). */
  keys?: Pick<KeyRing, "atprotoClientKey" | "secretVersions">;
  /** The configuration's environment (default `production`): picks the default fetch's rules. */
  env?: "development" | "production";
  /**
   * Fetch used for every outbound request of the flow. Default: the SSRF-safe fetch (lib/net/safe_fetch.ts) for
   * `env`, with `allowHttp`. Tests pass one created with the loopback opt-in.
   */
  fetch?: FetchLike;
  /**
   * Identity resolution (lib/atproto/identity.ts, built with the same safe fetch): the login input, handle -> DID
   * (DNS, HTTPS, optional XRPC service; test PDS handles like `alice.test` need the XRPC service) and DID documents.
   * The library resolves handles through it too.
   */
  identity: IdentityResolver;
  /** PLC directory for `did:plc` documents (default `https://plc.directory`). */
  plcDirectoryUrl?: string;
  /** Allow http PDS / authorization servers / did:web (tests and local peers only; never in production). */
  allowHttp?: boolean;
  /** Lifetime of a pending login (default 15 minutes). */
  stateTtlMs?: number;
  /** Lifetime of a stored ATProto session after its last update (default 30 days). */
  sessionTtlMs?: number;
  /** Clock for the KV stores' expiry and the memory of unreachable servers (ms since epoch). */
  now?: () => number;
}

/** The signed-in identity a successful callback yields. */
export interface LoginResult {
  /** The person's DID (the token's `sub`, verified against their PDS's authorization server). */
  did: string;
  /** Their handle when it verifies both ways (DID document <-> handle), else null. */
  handle: string | null;
  /** The `returnTo` given to `start`, unvalidated: check it with `Urls.isOwnUrl` before redirecting. */
  returnTo: string | null;
  /** The `binding` given to `start` (ties the callback to the browser that started the login), or null. */
  binding: string | null;
}

/** The sign-in flow. */
export interface AtprotoLogin {
  /** `confidential` or `loopback`. */
  readonly mode: AtprotoClientMode;
  /** The client_id PDSes see. */
  readonly clientId: string;
  /** Where PDSes send the browser back. */
  readonly redirectUri: string;
  /**
   * Starts a login for a handle (leading `@` dropped; a name without a dot gets `.bsky.social`), a DID, or a
   * PDS/entryway URL. Returns the authorization URL to redirect the browser to. Throws {@link LoginError}.
   */
  start(input: string, opts?: { returnTo?: string; binding?: string }): Promise<URL>;
  /** Completes a login from the callback's query parameters. Throws {@link LoginError}. */
  finish(params: URLSearchParams): Promise<LoginResult>;
  /** Revokes the person's ATProto tokens at their PDS (best effort) and deletes the stored session. */
  logout(did: string): Promise<void>;
  /** The underlying library client (for tests and later use of the session). */
  oauthClient(): Promise<OAuthClient>;
}

/** What the library keeps for us between `start` and `finish` (its "app state"). */
interface AppState {
  /** The DID the input resolved to; null for a PDS/entryway URL input (any account of that server may sign in). */
  expectedDid: string | null;
  returnTo: string | null;
  binding: string | null;
}

/**
 * Creates the sign-in flow. The library client is built on first use (confidential mode imports the registry key
 * then); configuration errors (a non-https, non-loopback origin; a missing key registry) throw here.
 */
export function createAtprotoLogin(deps: AtprotoLoginDeps): AtprotoLogin {
  const metadata = clientMetadataDocument(deps.publicOrigin);
  const mode = atprotoClientMode(deps.publicOrigin);
  if (mode === "confidential" && !deps.keys) throw new Error("Confidential ATProto login needs the key registry");
  // States and sessions are sealed at rest under the registry's `session` secret (a random per-process key without a
  // registry, in tests of loopback mode).
  const sealer = deps.keys ? atprotoSealer(deps.keys) : undefined;
  const stateStore = kvStateStore(deps.kv, { ttlMs: deps.stateTtlMs, now: deps.now, sealer });
  // A PDS / entryway address typed in the form that could not be reached is not asked again for 2 minutes.
  const unreachable = new NegativeCache<LoginError>({ now: deps.now });
  const sessionStore = kvSessionStore(deps.kv, { ttlMs: deps.sessionTtlMs, now: deps.now, sealer });

  let clientPromise: Promise<OAuthClient> | null = null;
  const client = () =>
    clientPromise ??= buildClient().catch((err) => {
      clientPromise = null; // retry on the next login instead of caching the failure
      throw err;
    });

  async function buildClient(): Promise<OAuthClient> {
    const keyset = mode === "confidential" ? [await registryKey(deps.keys!)] : undefined;
    return new OAuthClient({
      responseMode: "query",
      clientMetadata: metadata,
      keyset,
      stateStore,
      sessionStore,
      runtimeImplementation: denoRuntime,
      fetch: deps.fetch ?? createSafeFetch({ env: deps.env ?? "production", allowHttp: deps.allowHttp }),
      allowHttp: deps.allowHttp ?? false,
      plcDirectoryUrl: deps.plcDirectoryUrl,
      handleResolver: atprotoHandleResolver(deps.identity),
    });
  }

  return {
    mode,
    clientId: metadata.client_id!,
    redirectUri: metadata.redirect_uris[0],
    oauthClient: client,

    async start(rawInput, opts = {}) {
      let input: LoginInput;
      let expectedDid: string | null = null;
      try {
        input = normalizeLoginInput(rawInput, { allowHttp: deps.allowHttp });
        if (input.kind !== "url") expectedDid = (await deps.identity.resolveIdentity(input)).did;
      } catch (err) {
        throw identityLoginError(err);
      }
      // The library resolves again (cached) and builds the login hint; an URL input lets any account of that
      // server sign in, so there is no expected DID.
      const target = input.kind === "url" ? input.url : expectedDid!;
      const remembered = input.kind === "url" ? unreachable.get(target) : undefined;
      if (remembered) throw remembered;
      const appState: AppState = { expectedDid, returnTo: opts.returnTo ?? null, binding: opts.binding ?? null };
      const c = await client();
      try {
        return await c.authorize(target, { state: JSON.stringify(appState), scope: ATPROTO_SCOPE });
      } catch (err) {
        const failure = startError(rawInput.trim(), err);
        if (input.kind === "url" && failure.code === "pds_unreachable") unreachable.set(target, failure);
        throw failure;
      }
    },

    async finish(params) {
      const state = params.get("state");
      if (!state) {
        throw new LoginError(
          "invalid_callback",
          "This sign-in response is incomplete (it has no state). Start again from the login page.",
        );
      }
      // Checked here (not only inside the library) to tell an expired or replayed attempt from other failures.
      const pending = await stateStore.get(state);
      if (!pending) {
        throw new LoginError(
          "expired",
          "This sign-in attempt has expired or was already used. Start again from the login page.",
        );
      }
      const appState = parseAppState(pending.appState);
      const returnTo = appState.returnTo;
      const error = params.get("error");
      if (error) {
        await stateStore.del(state);
        if (error === "access_denied") {
          throw new LoginError(
            "access_denied",
            "You declined the sign-in at your PDS, so you are not signed in. You can try again at any time.",
            { returnTo },
          );
        }
        const description = params.get("error_description");
        throw new LoginError(
          "login_failed",
          `Your PDS ended the sign-in with an error (${error}${description ? `: ${description}` : ""}). ` +
            "Start again from the login page.",
          { returnTo },
        );
      }

      const c = await client();
      let did: string;
      try {
        const { session } = await c.callback(params);
        did = session.sub;
      } catch (err) {
        throw callbackError(err, returnTo);
      }

      if (appState.expectedDid && did !== appState.expectedDid) {
        await c.revoke(did).catch(() => {});
        throw new LoginError(
          "account_mismatch",
          `You signed in to a different account (${did}) than the one you entered (${appState.expectedDid}). ` +
            "Sign in again with the account you meant.",
          { returnTo },
        );
      }
      return { did, handle: await verifiedHandle(deps.identity, did), returnTo, binding: appState.binding };
    },

    async logout(did) {
      try {
        const c = await client();
        await c.revoke(did);
      } catch {
        // Revocation is best effort (the PDS may be down, or the DID malformed); the local session goes regardless.
      } finally {
        await sessionStore.del(did);
      }
    },
  };
}

/** Imports the registry's ES256 key as the client's signing key (kid preserved, usage `sign` only). */
async function registryKey(keys: Pick<KeyRing, "atprotoClientKey">): Promise<JoseKey> {
  const { kid, privateJwk } = keys.atprotoClientKey();
  const { key_ops: _ops, ext: _ext, use: _use, ...jwk } = privateJwk as JsonWebKey & { use?: string };
  return await JoseKey.fromJWK({ ...jwk, kid, alg: "ES256", key_ops: ["sign"] }, kid);
}

async function verifiedHandle(identity: IdentityResolver, did: string): Promise<string | null> {
  try {
    return (await identity.resolveIdentity({ kind: "did", did: did as `did:plc:${string}` })).handle;
  } catch {
    return null;
  }
}

function parseAppState(raw: string | undefined): AppState {
  try {
    const v = JSON.parse(raw ?? "{}");
    return {
      expectedDid: typeof v.expectedDid === "string" ? v.expectedDid : null,
      returnTo: typeof v.returnTo === "string" ? v.returnTo : null,
      binding: typeof v.binding === "string" ? v.binding : null,
    };
  } catch {
    return { expectedDid: null, returnTo: null, binding: null };
  }
}
