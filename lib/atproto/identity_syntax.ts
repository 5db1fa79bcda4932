/**
 * @module
 * The syntax side of ATProto identity: handles and DIDs (the two methods ATProto supports), what a person typed in
 * the login form, DID documents reduced to what login needs, server URLs, and {@link IdentityError}. No I/O: the
 * resolver (lib/atproto/identity.ts, which re-exports all of this) does the lookups.
 */
import { trimTrailingSlashes } from "../urls.ts";

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
  | "auth-server-invalid"
  | "busy";

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
  /** HTTP status a route should answer with: 422 for the person's input, 502 for a server elsewhere, 503 busy. */
  readonly status: number;
  constructor(code: IdentityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = code === "busy" ? 503 : PERSON_FIXABLE.has(code) ? 422 : 502;
    this.name = "IdentityError";
  }
}

/** A resolved DID document, reduced to what login needs. */
export interface DidInfo {
  did: AtprotoDid;
  /** The handle the document claims (first `at://` alias), not yet verified; null if none or malformed. */
  claimedHandle: string | null;
  /** PDS origin (no trailing slash). */
  pdsUrl: string;
}

const HANDLE_RE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DID_PLC_RE = /^did:plc:[a-z2-7]{24}$/;
/** A did:web DID (bare host, optional percent-encoded port): host in group 1, port in group 3. */
export const DID_WEB_RE = /^did:web:([a-z0-9.-]+)(%3a([0-9]{1,5}))?$/i;
const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$/;
/** The hint appended to "not found" messages. */
export const HELP = "Check the spelling, or enter your DID or PDS URL.";

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
  return { did, claimedHandle, pdsUrl: url.origin + trimTrailingSlashes(url.pathname) };
}

/** Checks a server address (PDS, entryway, authorization server): an origin, https unless `allowHttp`. */
export function checkServerUrl(raw: string, allowHttp: boolean, code: IdentityErrorCode, what: string): string {
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
