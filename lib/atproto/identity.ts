/**
 * @module
 * ATProto identity resolution for login: what the person typed -> handle / DID / server URL; handle -> DID
 * (DNS TXT `_atproto.{handle}` and HTTPS `/.well-known/atproto-did`, plus an optional XRPC `resolveHandle`
 * service); DID -> DID document (PLC directory or did:web) -> PDS; PDS -> authorization server metadata.
 * Every outbound HTTP request goes through the injected SSRF-safe fetch (lib/net/safe_fetch.ts).
 *
 * did:web: only a bare host is accepted (`did:web:example.com`), optionally with a percent-encoded port
 * (`did:web:localhost%3A2583`), as the ATProto spec allows for development; path-based did:web
 * (`did:web:example.com:user:alice`) is refused (ATProto does not support it). The document is fetched over
 * https, or over http when `allowHttp` is on and the host is `localhost`.
 *
 * Under abuse: failures (a handle that does not resolve, a DID or server that does not answer or answers nonsense)
 * are remembered in process memory for 2 minutes (lib/net/negative_cache.ts), so asking again makes no outbound
 * request; DNS TXT lookups share the process's cap on concurrent outbound work with the safe fetch
 * (lib/net/outbound_slots.ts). When that cap is reached the error is `busy` (503), and it is not remembered.
 */
import { trimTrailingSlashes } from "../urls.ts";
import type { FetchLike } from "../net/safe_fetch.ts";
import { SafeFetchError } from "../net/safe_fetch.ts";
import { NegativeCache, type NegativeCacheOptions } from "../net/negative_cache.ts";
import { OutboundBusyError, type OutboundSlots } from "../net/outbound_slots.ts";
import {
  type AtprotoDid,
  checkServerUrl,
  DID_WEB_RE,
  type DidInfo,
  HELP,
  IdentityError,
  isAtprotoDid,
  isValidHandle,
  type LoginInput,
  normalizeLoginInput,
  parseDidDocument,
} from "./identity_syntax.ts";

export {
  type AtprotoDid,
  type DidInfo,
  IdentityError,
  type IdentityErrorCode,
  isAtprotoDid,
  isValidHandle,
  type LoginInput,
  normalizeLoginInput,
  parseDidDocument,
} from "./identity_syntax.ts";

/** Options of {@link createIdentityResolver}. */
export interface IdentityOptions {
  /** The SSRF-safe fetch every request goes through. */
  fetch: FetchLike;
  /** TXT lookup; returns the records' strings (chunks of one record joined). Default `Deno.resolveDns(name, "TXT")`. */
  resolveTxt?: (name: string) => Promise<string[]>;
  /** PLC directory origin. Default `https://plc.directory`. */
  plcDirectoryUrl?: string;
  /** Optional XRPC service for `com.atproto.identity.resolveHandle` (e.g. a test PDS), tried after DNS and HTTPS. */
  handleResolverServiceUrl?: string | null;
  /** Accept http PDS / authorization-server URLs and http did:web on localhost (development and tests). */
  allowHttp?: boolean;
  /** URL of a handle's `atproto-did` document. Default `https://{handle}/.well-known/atproto-did`; tests override. */
  handleWellKnownUrl?: (handle: string) => string;
  /** Cap on concurrent outbound work shared with the safe fetch; DNS TXT lookups run in it. Default: no cap. */
  slots?: OutboundSlots;
  /** Memory of failures (default 2 min, 2000 entries); `false` turns it off. */
  negativeCache?: Partial<Omit<NegativeCacheOptions, "now">> | false;
  /** Clock of the failure memory (ms). Default `Date.now`. */
  now?: () => number;
}

/** A verified identity. */
export interface Identity {
  did: AtprotoDid;
  /** The handle, verified in both directions; null when the DID document's handle does not point back. */
  handle: string | null;
  pdsUrl: string;
  /** Why `handle` is null, in words for the person (absent when the handle is verified). */
  handleProblem?: string;
}

/** The authorization server of a PDS. */
export interface AuthServerInfo {
  /** The issuer, equal to the AS origin the PDS named. */
  issuer: string;
  /** The full authorization server metadata document. */
  metadata: Record<string, unknown>;
}

/** Identity resolution bound to its options. */
export interface IdentityResolver {
  /** Handle -> DID; null when no method finds it. Throws `handle-conflict` when DNS and HTTPS disagree. */
  lookupHandle(handle: string): Promise<AtprotoDid | null>;
  /** Handle -> DID; throws `unknown-handle` when not found. */
  resolveHandle(handle: string): Promise<AtprotoDid>;
  /** DID -> validated document summary. */
  resolveDid(did: string): Promise<DidInfo>;
  /** Login input (or its raw text) -> DID, verified handle, PDS. A URL input throws `invalid-input`. */
  resolveIdentity(input: string | LoginInput): Promise<Identity>;
  /** PDS (or entryway / authorization server) URL -> authorization server metadata, issuer checked. */
  resolveAuthServer(serverUrl: string): Promise<AuthServerInfo>;
}

/** Default TXT lookup through `Deno.resolveDns`; NXDOMAIN and errors read as no records. */
export async function resolveTxtWithDeno(name: string): Promise<string[]> {
  try {
    const records = await Deno.resolveDns(name, "TXT");
    return records.map((chunks) => chunks.join(""));
  } catch {
    return [];
  }
}

/** The error for work refused because the process's outbound cap is reached. */
function busyError(cause: unknown): IdentityError {
  return new IdentityError(
    "busy",
    "Sign-in is very busy right now (too many lookups at once). Try again in a few seconds.",
    { cause },
  );
}

function isBusy(err: unknown): boolean {
  return err instanceof OutboundBusyError || (err instanceof SafeFetchError && err.reason === "busy") ||
    (err instanceof IdentityError && err.code === "busy");
}

/** A remembered "not found" of a handle lookup. */
const NOT_FOUND = "not-found";

/** Creates an {@link IdentityResolver}. */
export function createIdentityResolver(opts: IdentityOptions): IdentityResolver {
  const safeFetch = opts.fetch;
  const txt = opts.resolveTxt ?? resolveTxtWithDeno;
  const slots = opts.slots;
  const resolveTxt = slots ? (name: string) => slots.run(() => txt(name)) : txt;
  const failures = opts.negativeCache === false
    ? null
    : new NegativeCache<IdentityError | typeof NOT_FOUND>({ ...opts.negativeCache, now: opts.now });

  /** Runs `work` unless `key` failed recently (then throws that failure again); remembers a new failure. */
  async function remembered<T>(key: string, work: () => Promise<T>): Promise<T> {
    const hit = failures?.get(key);
    if (hit instanceof IdentityError) throw hit;
    try {
      return await work();
    } catch (err) {
      if (err instanceof IdentityError && err.code !== "busy") failures?.set(key, err);
      throw err;
    }
  }
  const plc = trimTrailingSlashes(opts.plcDirectoryUrl ?? "https://plc.directory");
  const allowHttp = opts.allowHttp === true;
  const wellKnown = opts.handleWellKnownUrl ?? ((h: string) => `https://${h}/.well-known/atproto-did`);

  async function viaDns(handle: string): Promise<AtprotoDid | null> {
    let records: string[];
    try {
      records = await resolveTxt(`_atproto.${handle}`);
    } catch (err) {
      if (isBusy(err)) throw busyError(err);
      return null;
    }
    const dids = new Set(records.filter((r) => r.startsWith("did=")).map((r) => r.slice(4).trim()));
    if (dids.size !== 1) return null; // none, or ambiguous records: the spec says treat as unresolved
    const [did] = dids;
    return isAtprotoDid(did) ? did : null;
  }

  async function viaHttps(handle: string): Promise<AtprotoDid | null> {
    try {
      const res = await safeFetch(wellKnown(handle), { headers: { accept: "text/plain" } });
      if (!res.ok) return null;
      const did = (await res.text()).split("\n")[0].trim();
      return isAtprotoDid(did) ? did : null;
    } catch (err) {
      if (isBusy(err)) throw busyError(err);
      return null;
    }
  }

  async function viaXrpc(handle: string): Promise<AtprotoDid | null> {
    if (!opts.handleResolverServiceUrl) return null;
    const url = new URL("/xrpc/com.atproto.identity.resolveHandle", opts.handleResolverServiceUrl);
    url.searchParams.set("handle", handle);
    try {
      const res = await safeFetch(url, { headers: { accept: "application/json" } });
      if (!res.ok) return null;
      const body = await res.json() as { did?: unknown };
      return typeof body.did === "string" && isAtprotoDid(body.did) ? body.did : null;
    } catch (err) {
      if (isBusy(err)) throw busyError(err);
      return null;
    }
  }

  async function lookupHandle(raw: string): Promise<AtprotoDid | null> {
    const handle = raw.toLowerCase();
    if (!isValidHandle(handle)) return null;
    const key = `handle:${handle}`;
    if (failures?.get(key) === NOT_FOUND) return null;
    const did = await remembered(key, () => lookupUncached(handle));
    if (did === null) failures?.set(key, NOT_FOUND);
    return did;
  }

  async function lookupUncached(handle: string): Promise<AtprotoDid | null> {
    const [dns, https] = await Promise.all([viaDns(handle), viaHttps(handle)]);
    if (dns && https && dns !== https) {
      throw new IdentityError(
        "handle-conflict",
        `The handle ${handle} is set up inconsistently: its DNS record points to ${dns} but its website points to ${https}. ` +
          `Its owner needs to fix one of them; meanwhile you can sign in with your DID or PDS URL.`,
      );
    }
    return dns ?? https ?? await viaXrpc(handle);
  }

  async function resolveHandle(handle: string): Promise<AtprotoDid> {
    const did = await lookupHandle(handle);
    if (!did) throw new IdentityError("unknown-handle", `We couldn't find the handle ${handle}. ${HELP}`);
    return did;
  }

  function didDocumentUrl(did: AtprotoDid): string {
    if (did.startsWith("did:plc:")) return `${plc}/${did}`;
    const m = DID_WEB_RE.exec(did)!;
    const host = m[1].toLowerCase();
    const port = m[3] ? `:${Number(m[3])}` : "";
    const scheme = allowHttp && host === "localhost" ? "http" : "https";
    return `${scheme}://${host}${port}/.well-known/did.json`;
  }

  async function resolveDid(raw: string): Promise<DidInfo> {
    if (!isAtprotoDid(raw)) {
      if (/^did:(plc|web):/.test(raw)) {
        throw new IdentityError("did-doc-invalid", `${raw} is not a valid DID.`);
      }
      throw new IdentityError("did-unsupported", `${raw} uses a DID method we don't support. Use did:plc or did:web.`);
    }
    const did = raw;
    return await remembered(`did:${did}`, () => fetchDidDocument(did));
  }

  async function fetchDidDocument(did: AtprotoDid): Promise<DidInfo> {
    let res: Response;
    try {
      res = await safeFetch(didDocumentUrl(did), { headers: { accept: "application/did+json, application/json" } });
    } catch (err) {
      if (isBusy(err)) throw busyError(err);
      throw new IdentityError(
        "did-unreachable",
        `We couldn't fetch the DID document of ${did}${err instanceof SafeFetchError ? ` (${err.message})` : ""}. ` +
          `Try again in a moment.`,
        { cause: err },
      );
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new IdentityError("did-not-found", `The account ${did} does not exist (or was deleted).`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new IdentityError(
        "did-unreachable",
        `The DID document of ${did} could not be fetched (HTTP ${res.status}).`,
      );
    }
    let doc: unknown;
    try {
      doc = await res.json();
    } catch {
      throw new IdentityError("did-doc-invalid", `The DID document of ${did} is not valid JSON.`);
    }
    return parseDidDocument(did, doc, allowHttp);
  }

  async function resolveIdentity(input: string | LoginInput): Promise<Identity> {
    const parsed = typeof input === "string" ? normalizeLoginInput(input, { allowHttp }) : input;
    if (parsed.kind === "url") {
      throw new IdentityError("invalid-input", `${parsed.url} is a server, not an account: use resolveAuthServer.`);
    }
    const key = parsed.kind === "handle" ? `identity:${parsed.handle}` : `identity:${parsed.did}`;
    return await remembered(key, () => resolveParsed(parsed));
  }

  async function resolveParsed(parsed: Exclude<LoginInput, { kind: "url" }>): Promise<Identity> {
    if (parsed.kind === "handle") {
      const did = await resolveHandle(parsed.handle);
      const info = await resolveDid(did);
      if (info.claimedHandle !== parsed.handle) {
        throw new IdentityError(
          "handle-mismatch",
          `The handle ${parsed.handle} points to the account ${did}, but that account says its handle is ` +
            `${info.claimedHandle ?? "(none)"}. The handle isn't set up correctly; sign in with your DID or PDS URL.`,
        );
      }
      return { did, handle: parsed.handle, pdsUrl: info.pdsUrl };
    }
    const info = await resolveDid(parsed.did);
    if (!info.claimedHandle) {
      return { did: info.did, handle: null, pdsUrl: info.pdsUrl, handleProblem: "The account has no handle." };
    }
    let back: AtprotoDid | null = null;
    try {
      back = await lookupHandle(info.claimedHandle);
    } catch (err) {
      if (isBusy(err)) throw err; // a conflicting handle is as good as none; a busy lookup is not an answer
    }
    if (back !== info.did) {
      return {
        did: info.did,
        handle: null,
        pdsUrl: info.pdsUrl,
        handleProblem: `The account says its handle is ${info.claimedHandle}, but that handle does not point back ` +
          `to ${info.did}, so it is shown as handle.invalid.`,
      };
    }
    return { did: info.did, handle: info.claimedHandle, pdsUrl: info.pdsUrl };
  }

  async function getJson(url: string, failure: (detail: string) => IdentityError): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await safeFetch(url, { headers: { accept: "application/json" } });
    } catch (err) {
      if (isBusy(err)) throw busyError(err);
      throw failure(err instanceof SafeFetchError ? err.message : "no answer");
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw failure(`HTTP ${res.status}`);
    }
    try {
      const body = await res.json();
      if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch { /* fall through */ }
    throw failure("the answer is not a JSON object");
  }

  async function authServerMetadata(issuer: string): Promise<AuthServerInfo> {
    const metadata = await getJson(
      `${issuer}/.well-known/oauth-authorization-server`,
      (d) => new IdentityError("auth-server-invalid", `The sign-in server ${issuer} did not answer properly (${d}).`),
    );
    if (metadata.issuer !== issuer) {
      throw new IdentityError(
        "auth-server-invalid",
        `The sign-in server ${issuer} claims to be ${String(metadata.issuer)}; refusing to continue.`,
      );
    }
    return { issuer, metadata };
  }

  async function resolveAuthServer(serverUrl: string): Promise<AuthServerInfo> {
    const pds = checkServerUrl(serverUrl, allowHttp, "pds-unreachable", "server");
    return await remembered(`server:${pds}`, () => discoverAuthServer(pds));
  }

  async function discoverAuthServer(pds: string): Promise<AuthServerInfo> {
    let resource: Record<string, unknown>;
    try {
      resource = await getJson(
        `${pds}/.well-known/oauth-protected-resource`,
        (d) => new IdentityError("pds-unreachable", `We couldn't reach your PDS at ${pds} (${d}). Try again later.`),
      );
    } catch (err) {
      // An entryway or authorization server URL typed by the person: it is its own issuer.
      try {
        return await authServerMetadata(pds);
      } catch (second) {
        throw isBusy(second) ? second : err;
      }
    }
    const servers = resource.authorization_servers;
    if (!Array.isArray(servers) || typeof servers[0] !== "string") {
      throw new IdentityError("pds-unreachable", `Your PDS at ${pds} does not name a sign-in server.`);
    }
    const issuer = checkServerUrl(servers[0], allowHttp, "auth-server-invalid", "sign-in server");
    return await authServerMetadata(issuer);
  }

  return { lookupHandle, resolveHandle, resolveDid, resolveIdentity, resolveAuthServer };
}

/** Adapter for `@atproto/oauth-client`'s `handleResolver` option: `{ resolve(handle) }` -> DID or null. */
export function atprotoHandleResolver(identity: IdentityResolver): {
  resolve(handle: string): Promise<AtprotoDid | null>;
} {
  return { resolve: (handle: string) => identity.lookupHandle(handle) };
}
