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
 */
import type { FetchLike } from "../net/safe_fetch.ts";
import { SafeFetchError } from "../net/safe_fetch.ts";

/** A DID of one of the two methods ATProto supports. */
export type AtprotoDid = `did:plc:${string}` | `did:web:${string}`;

/** What a person typed in the login form, classified. */
export type LoginInput =
  | { kind: "handle"; handle: string }
  | { kind: "did"; did: AtprotoDid }
  | { kind: "url"; url: string };

/** Machine-readable identity failures. */
export type IdentityErrorCode =
  | "invalid-input"
  | "unknown-handle"
  | "handle-conflict"
  | "handle-mismatch"
  | "did-unsupported"
  | "did-not-found"
  | "did-doc-invalid"
  | "did-unreachable"
  | "pds-unreachable"
  | "auth-server-invalid";

const PERSON_FIXABLE = new Set<IdentityErrorCode>([
  "invalid-input",
  "unknown-handle",
  "handle-conflict",
  "handle-mismatch",
  "did-unsupported",
  "did-not-found",
]);

/** An identity failure; `message` is written for the person logging in. */
export class IdentityError extends Error {
  /** What failed. */
  readonly code: IdentityErrorCode;
  /** HTTP status a route should answer with: 422 for the person's input, 502 for a server elsewhere. */
  readonly status: number;
  constructor(code: IdentityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = PERSON_FIXABLE.has(code) ? 422 : 502;
    this.name = "IdentityError";
  }
}

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
}

/** A resolved DID document, reduced to what login needs. */
export interface DidInfo {
  did: AtprotoDid;
  /** The handle the document claims (first `at://` alias), not yet verified; null if none or malformed. */
  claimedHandle: string | null;
  /** PDS origin (no trailing slash). */
  pdsUrl: string;
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

const HANDLE_RE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DID_PLC_RE = /^did:plc:[a-z2-7]{24}$/;
const DID_WEB_RE = /^did:web:([a-z0-9.-]+)(%3a([0-9]{1,5}))?$/i;
const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$/;
const HELP = "Check the spelling, or enter your DID or PDS URL.";

/** True for a syntactically valid ATProto handle (lowercase). */
export function isValidHandle(handle: string): boolean {
  return handle.length <= 253 && HANDLE_RE.test(handle);
}

/** True for a DID of a method ATProto supports, in valid syntax. */
export function isAtprotoDid(did: string): did is AtprotoDid {
  return DID_PLC_RE.test(did) || (DID_WEB_RE.test(did) && isValidHost(DID_WEB_RE.exec(did)![1].toLowerCase()));
}

function isValidHost(host: string): boolean {
  return host === "localhost" || isValidHandle(host);
}

/**
 * Classifies login input: trims, strips a leading `@`, lowercases handles, appends `.bsky.social` to a dotless
 * name; keeps `did:plc:` / `did:web:` DIDs; takes an `https://` URL as a PDS or entryway. Throws `invalid-input`.
 */
export function normalizeLoginInput(raw: string, opts: { allowHttp?: boolean } = {}): LoginInput {
  const text = raw.trim();
  if (text === "") {
    throw new IdentityError("invalid-input", "Enter your handle (like alice.bsky.social), DID or PDS URL.");
  }
  if (/^did:/i.test(text)) {
    if (/^did:(plc|web):/i.test(text) === false && DID_RE.test(text)) {
      throw new IdentityError("did-unsupported", `${text} uses a DID method we don't support. Use did:plc or did:web.`);
    }
    const did = text.startsWith("did:web:") ? text : text.replace(/^did:plc:/i, "did:plc:");
    if (!isAtprotoDid(did)) throw new IdentityError("invalid-input", `${text} is not a valid DID. ${HELP}`);
    return { kind: "did", did };
  }
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new IdentityError("invalid-input", `${text} is not a valid URL. ${HELP}`);
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && opts.allowHttp)) {
      throw new IdentityError("invalid-input", `A PDS URL must start with https:// (got ${text}).`);
    }
    if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
      throw new IdentityError("invalid-input", `Enter just the server address, like https://pds.example.com.`);
    }
    return { kind: "url", url: url.origin };
  }
  let handle = text.replace(/^@/, "").toLowerCase();
  if (handle.endsWith(".")) handle = handle.slice(0, -1);
  if (handle !== "" && !handle.includes(".")) handle += ".bsky.social";
  if (!isValidHandle(handle)) {
    throw new IdentityError("invalid-input", `"${text}" is not a valid handle. ${HELP}`);
  }
  return { kind: "handle", handle };
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

/** Creates an {@link IdentityResolver}. */
export function createIdentityResolver(opts: IdentityOptions): IdentityResolver {
  const safeFetch = opts.fetch;
  const resolveTxt = opts.resolveTxt ?? resolveTxtWithDeno;
  const plc = (opts.plcDirectoryUrl ?? "https://plc.directory").replace(/\/+$/, "");
  const allowHttp = opts.allowHttp === true;
  const wellKnown = opts.handleWellKnownUrl ?? ((h: string) => `https://${h}/.well-known/atproto-did`);

  async function viaDns(handle: string): Promise<AtprotoDid | null> {
    let records: string[];
    try {
      records = await resolveTxt(`_atproto.${handle}`);
    } catch {
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
    } catch {
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
    } catch {
      return null;
    }
  }

  async function lookupHandle(raw: string): Promise<AtprotoDid | null> {
    const handle = raw.toLowerCase();
    if (!isValidHandle(handle)) return null;
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
    let res: Response;
    try {
      res = await safeFetch(didDocumentUrl(did), { headers: { accept: "application/did+json, application/json" } });
    } catch (err) {
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
    } catch { /* a conflicting handle is as good as none */ }
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
      } catch {
        throw err;
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

/** Validates a DID document and extracts handle claim and PDS. Throws `did-doc-invalid` with the reason. */
export function parseDidDocument(did: AtprotoDid, doc: unknown, allowHttp = false): DidInfo {
  const invalid = (why: string) =>
    new IdentityError("did-doc-invalid", `The DID document of ${did} is invalid: ${why}.`);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw invalid("not a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.id !== did) throw invalid(`its id is ${JSON.stringify(d.id)}`);
  let claimedHandle: string | null = null;
  if (Array.isArray(d.alsoKnownAs)) {
    const aka = d.alsoKnownAs.find((a): a is string => typeof a === "string" && a.startsWith("at://"));
    const h = aka?.slice(5).toLowerCase();
    if (h && isValidHandle(h)) claimedHandle = h;
  }
  if (!Array.isArray(d.service)) throw invalid("it lists no services");
  const pds = d.service.find((s) =>
    s && typeof s === "object" && ((s as { id?: unknown }).id === "#atproto_pds" ||
      (s as { id?: unknown }).id === `${did}#atproto_pds`)
  ) as { type?: unknown; serviceEndpoint?: unknown } | undefined;
  if (!pds) throw invalid("it has no #atproto_pds service");
  if (pds.type !== "AtprotoPersonalDataServer") throw invalid("its #atproto_pds service has the wrong type");
  if (typeof pds.serviceEndpoint !== "string") throw invalid("its PDS endpoint is not a URL");
  let url: URL;
  try {
    url = new URL(pds.serviceEndpoint);
  } catch {
    throw invalid("its PDS endpoint is not a URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowHttp)) {
    throw invalid(`its PDS endpoint ${pds.serviceEndpoint} is not https`);
  }
  if (url.username || url.password || url.search || url.hash) throw invalid("its PDS endpoint is malformed");
  return { did, claimedHandle, pdsUrl: url.origin + url.pathname.replace(/\/+$/, "") };
}

function checkServerUrl(raw: string, allowHttp: boolean, code: IdentityErrorCode, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IdentityError(code, `The ${what} address ${raw} is not a valid URL.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowHttp)) {
    throw new IdentityError(code, `The ${what} address ${raw} must use https.`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new IdentityError(code, `The ${what} address ${raw} must be an origin (no path).`);
  }
  return url.origin;
}

/** Adapter for `@atproto/oauth-client`'s `handleResolver` option: `{ resolve(handle) }` -> DID or null. */
export function atprotoHandleResolver(identity: IdentityResolver): {
  resolve(handle: string): Promise<AtprotoDid | null>;
} {
  return { resolve: (handle: string) => identity.lookupHandle(handle) };
}
