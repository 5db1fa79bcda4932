/**
 * @module
 * The one SSRF-safe `fetch` for every outbound request of the ATProto login (handle, DID, PDS and
 * authorization-server documents, PAR and token requests) and, later, client-ID metadata documents.
 *
 * Per hop (the first URL and each redirect target): https only (unless `allowHttp`), no userinfo, no special-use
 * host names, and every address the host name resolves to must be public (lib/net/addresses.ts). Redirects are
 * followed by hand (at most `maxRedirects`), responses are read into memory up to `maxBytes`, and the whole
 * exchange is bounded by `timeoutMs`. At most `slots` exchanges run at once per process (lib/net/outbound_slots.ts:
 * beyond, a short wait, then SafeFetchError `busy`). Loopback is reachable only with {@link UNSAFE_ALLOW_LOOPBACK_FOR_TESTS},
 * which production configuration refuses. Residual risks (DNS rebinding between check and connect): docs/ssrf.md.
 */
import { classifyAddress, parseIPv4 } from "./addresses.ts";
import { createPinnedClient, type PinnedClient } from "./pinned_client.ts";
import { OutboundBusyError, type OutboundSlots, PROCESS_OUTBOUND_SLOTS } from "./outbound_slots.ts";
import { BodyError, readBytes } from "./body.ts";

/** Opt-in token that lets tests reach 127.0.0.1 / ::1 / localhost. Only test code imports it. */
export const UNSAFE_ALLOW_LOOPBACK_FOR_TESTS: unique symbol = Symbol("UNSAFE_ALLOW_LOOPBACK_FOR_TESTS");
/** Type of the loopback opt-in token: nothing but {@link UNSAFE_ALLOW_LOOPBACK_FOR_TESTS} satisfies it. */
export type SafeFetchLoopbackOptIn = typeof UNSAFE_ALLOW_LOOPBACK_FOR_TESTS;

/** A fetch-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Resolves a host name to IP addresses (IPv4 and IPv6 as text). */
export type AddressResolver = (hostname: string, signal?: AbortSignal) => Promise<string[]>;

/** Options of {@link createSafeFetch}. */
export interface SafeFetchOptions {
  /** The configuration's environment; in `production` the loopback opt-in and `allowHttp` are refused. */
  env: "development" | "production";
  /** Permit `http:` URLs (development and tests only). Default false. */
  allowHttp?: boolean;
  /** Permit loopback addresses and `localhost` names: pass {@link UNSAFE_ALLOW_LOOPBACK_FOR_TESTS}. */
  allowLoopback?: SafeFetchLoopbackOptIn;
  /** DNS resolver; default {@link resolveWithDeno} (A and AAAA). */
  resolve?: AddressResolver;
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Time allowed for the whole exchange (resolution, redirects, body), in ms. Default 10 000. */
  timeoutMs?: number;
  /** Redirects followed at most. Default 3. */
  maxRedirects?: number;
  /**
   * Underlying fetch (tests inject a stub). Default the global `fetch` with every connection pinned to the
   * validated address (lib/net/pinned_client.ts). An injected fetch is called without pinning.
   */
  fetch?: FetchLike;
  /** Extra root certificates (PEM) for the default fetch, e.g. a private test CA. */
  caCerts?: string[];
  /** Cap on concurrent exchanges (resolution, connection, body). Default the process-wide one (64, 2 s wait). */
  slots?: OutboundSlots;
}

/** Machine-readable reasons a safe fetch refuses or fails. */
export type SafeFetchReason =
  | "config"
  | "invalid-url"
  | "scheme"
  | "userinfo"
  | "blocked-host"
  | "private-address"
  | "dns"
  | "redirects"
  | "too-large"
  | "timeout"
  | "network"
  | "busy";

/** Failure of a safe fetch; `message` names the URL's host and what was wrong. */
export class SafeFetchError extends Error {
  /** What went wrong. */
  readonly reason: SafeFetchReason;
  constructor(reason: SafeFetchReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.name = "SafeFetchError";
  }
}

/** Default response size limit: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Default time limit: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default number of redirects followed. */
export const DEFAULT_MAX_REDIRECTS = 3;

const BLOCKED_SUFFIXES = [".localhost", ".local", ".internal"];
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "dpop", "proxy-authorization"];

/** Default resolver: `Deno.resolveDns` A and AAAA; a name with neither record resolves to `[]`; localhost names are loopback. */
export async function resolveWithDeno(hostname: string, signal?: AbortSignal): Promise<string[]> {
  // RFC 6761: localhost names are loopback (reached only with the test opt-in; refused before resolution otherwise).
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  const settle = async (type: "A" | "AAAA") => {
    try {
      return await Deno.resolveDns(hostname, type, { signal });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  };
  const [a, aaaa] = await Promise.all([settle("A"), settle("AAAA")]);
  return [...a, ...aaaa];
}

/** Creates the SSRF-safe fetch. Throws {@link SafeFetchError} `config` for options production must not use. */
export function createSafeFetch(opts: SafeFetchOptions): FetchLike {
  if (opts.allowLoopback !== undefined && opts.allowLoopback !== UNSAFE_ALLOW_LOOPBACK_FOR_TESTS) {
    throw new SafeFetchError("config", "allowLoopback accepts only UNSAFE_ALLOW_LOOPBACK_FOR_TESTS");
  }
  if (opts.env === "production" && opts.allowLoopback) {
    throw new SafeFetchError("config", "The loopback opt-in is for tests and cannot be used in production.");
  }
  if (opts.env === "production" && opts.allowHttp) {
    throw new SafeFetchError("config", "allowHttp is for development and cannot be used in production.");
  }
  const guard: HopGuard = {
    allowHttp: opts.allowHttp === true,
    allowLoopback: opts.allowLoopback === UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    resolve: opts.resolve ?? resolveWithDeno,
  };
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const injected = opts.fetch;
  const slots = opts.slots ?? PROCESS_OUTBOUND_SLOTS;

  return async function safeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    try {
      return await slots.run(() => exchange(input, init));
    } catch (err) {
      if (err instanceof OutboundBusyError) throw new SafeFetchError("busy", err.message, { cause: err });
      throw err;
    }
  };

  async function exchange(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (!(input instanceof Request)) {
      const parsed = URL.canParse(input) ? new URL(input) : null;
      if (parsed && (parsed.username || parsed.password)) {
        throw new SafeFetchError("userinfo", `URLs with a user name or password are refused (${parsed.host}).`);
      }
    }
    let request: Request;
    try {
      request = new Request(input, init);
    } catch (err) {
      throw new SafeFetchError("invalid-url", `Not a valid URL: ${String(input).slice(0, 200)}`, { cause: err });
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    let method = request.method;
    let headers = new Headers(request.headers);
    let sendBody: Uint8Array | undefined = body;
    let url = request.url;
    try {
      for (let hop = 0;; hop++) {
        const target = await checkUrl(url, guard, signal);
        const pinned = injected ? undefined : pin(target, opts.caCerts);
        const client = pinned?.client;
        let response: Response;
        try {
          const doFetch: FetchLike = injected ?? fetch;
          response = await doFetch(target.url.href, {
            method,
            headers: new Headers(headers),
            body: sendBody,
            redirect: "manual",
            signal,
            ...(client ? { client } : {}),
          } as RequestInit);
          const isRedirect = REDIRECT_STATUSES.has(response.status) && response.headers.has("location");
          if (isRedirect && request.redirect === "error") {
            await response.body?.cancel();
            throw new SafeFetchError(
              "redirects",
              `${target.url.host} answered with a redirect, which this request refuses.`,
            );
          }
          if (isRedirect && request.redirect !== "manual") {
            await response.body?.cancel();
            if (hop >= maxRedirects) {
              throw new SafeFetchError(
                "redirects",
                `Too many redirects (more than ${maxRedirects}) from ${request.url}`,
              );
            }
            const next = new URL(response.headers.get("location")!, target.url);
            if (next.origin !== target.url.origin) { for (const h of CREDENTIAL_HEADERS) headers.delete(h); }
            if (
              response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")
            ) {
              if (method !== "HEAD") method = "GET";
              sendBody = undefined;
              headers = new Headers(headers);
              headers.delete("content-type");
              headers.delete("content-length");
            }
            url = next.href;
            continue;
          }
          const bytes = await readBounded(response, maxBytes, target.url);
          const out = new Response(NULL_BODY_STATUSES.has(response.status) ? null : bytes, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
          Object.defineProperty(out, "url", { value: target.url.href });
          Object.defineProperty(out, "redirected", { value: hop > 0 });
          return out;
        } finally {
          pinned?.release();
        }
      }
    } catch (err) {
      throw toSafeFetchError(err, signal, timeout, timeoutMs, url);
    }
  }
}

interface HopGuard {
  allowHttp: boolean;
  allowLoopback: boolean;
  resolve: AddressResolver;
}

interface CheckedTarget {
  url: URL;
  /** The validated address the connection should go to. */
  address: string;
}

/**
 * Checks one URL against the rules and returns the address to connect to. Exported for callers that want to
 * validate a URL (e.g. a client-ID) before fetching it; the fetch does this on every hop anyway.
 */
export async function checkUrl(
  raw: string,
  guard: { allowHttp: boolean; allowLoopback: boolean; resolve: AddressResolver },
  signal?: AbortSignal,
): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new SafeFetchError("invalid-url", `Not a valid URL: ${raw.slice(0, 200)}`, { cause: err });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && guard.allowHttp)) {
    throw new SafeFetchError("scheme", `Only https URLs can be fetched, not ${url.protocol} (${url.host}).`);
  }
  if (url.username || url.password) {
    throw new SafeFetchError("userinfo", `URLs with a user name or password are refused (${url.host}).`);
  }
  const host = url.hostname;
  const check = (address: string) => {
    const verdict = classifyAddress(address);
    if (verdict === "public" || (verdict === "loopback" && guard.allowLoopback)) return;
    throw new SafeFetchError(
      "private-address",
      `${host} points to a private or reserved address (${address}); only public addresses can be fetched.`,
    );
  };
  if (host.startsWith("[")) {
    const address = host.slice(1, -1);
    check(address);
    return { url, address };
  }
  if (parseIPv4(host) !== null) {
    check(host);
    return { url, address: host };
  }
  // WHATWG URL turns every numeric IPv4 form (decimal, octal, hex, short) into a dotted quad; a host whose last
  // label still looks numeric is not a name we should resolve.
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  const last = name.slice(name.lastIndexOf(".") + 1);
  if (name === "" || /^(0x[0-9a-f]*|[0-9]+)$/i.test(last)) {
    throw new SafeFetchError("invalid-url", `${host} is not a valid host name.`);
  }
  const special = name === "localhost" || BLOCKED_SUFFIXES.some((s) => name.endsWith(s));
  if (special && !guard.allowLoopback) {
    throw new SafeFetchError("blocked-host", `${host} is a local name; only public hosts can be fetched.`);
  }
  let addresses: string[];
  try {
    addresses = await withSignal(guard.resolve(name, signal), signal);
  } catch (err) {
    if (err instanceof SafeFetchError || signal?.aborted) throw err;
    throw new SafeFetchError("dns", `${host} could not be resolved.`, { cause: err });
  }
  if (addresses.length === 0) throw new SafeFetchError("dns", `${host} has no address.`);
  for (const a of addresses) check(a);
  return { url, address: addresses[0] };
}

/**
 * Pins the connection to the validated address. Where the runtime cannot (no `Deno.createHttpClient` or no
 * `Deno.listen`, e.g. some hosted runtimes) the request goes unpinned: see docs/ssrf.md, residual risks.
 */
function pin(target: CheckedTarget, caCerts?: string[]): PinnedClient | undefined {
  if (typeof Deno.createHttpClient !== "function") return undefined;
  try {
    return createPinnedClient(target.url, target.address, caCerts);
  } catch {
    return undefined;
  }
}

/** The response body, at most `maxBytes` (lib/net/body.ts); more is a `too-large` SafeFetchError. */
async function readBounded(response: Response, maxBytes: number, url: URL): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await readBytes(response, maxBytes);
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    throw new SafeFetchError("too-large", `The response from ${url.host} is larger than ${maxBytes} bytes.`);
  }
}

function withSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function toSafeFetchError(
  err: unknown,
  signal: AbortSignal,
  timeout: AbortSignal,
  timeoutMs: number,
  url: string,
): unknown {
  if (err instanceof SafeFetchError) return err;
  let host = url;
  try {
    host = new URL(url).host;
  } catch { /* keep the raw text */ }
  if (timeout.aborted) {
    return new SafeFetchError("timeout", `${host} did not answer within ${timeoutMs / 1000} s.`, { cause: err });
  }
  if (signal.aborted) return err; // the caller aborted: pass their reason through
  return new SafeFetchError("network", `Could not connect to ${host}.`, { cause: err });
}
