/**
 * @module
 * `{wiki}/wiki.git`: a read-only git repository of the wiki's history over HTTP, smart protocol version 2
 * (lib/git/upload_pack.ts), served from the app's fetch handler like `/mcp` (main.ts), with no repository on disk:
 *
 * - `GET  /wiki.git/info/refs?service=git-upload-pack`: the capability advertisement;
 * - `POST /wiki.git/git-upload-pack`: `ls-refs` and `fetch` (body possibly gzip-encoded, as git sends large ones).
 *
 * Access like the MCP endpoint: a wiki token or an OAuth access token with `wiki:read`, as the password of HTTP
 * Basic (any user name; git sends it only after a 401 challenge) or as a Bearer token; a public wiki without
 * credentials. No credentials on a non-public wiki: 401 with `WWW-Authenticate: Basic realm="robot.wtf"`; a token of
 * another wiki: 403. Protocol errors are `ERR` packets, other client mistakes 4xx with a plain-text reason.
 */
import type { WikiRecord } from "../wiki/types.ts";
import type { Verifier } from "../auth/principal.ts";
import { OTHER_WIKI_TOKEN } from "../auth/principal.ts";
import { authenticate } from "../auth/authenticate.ts";
import { hasScope, readableByAnyone } from "../auth/access.ts";
import { BodyError, readBytes } from "../net/body.ts";
import { isKvFailure } from "../kv/unavailable.ts";
import { NotFoundError } from "../errors.ts";
import { protocolSecurityHeaders, withSecurityHeaders } from "../web/security_headers.ts";
import { HistoryCache } from "./history_cache.ts";
import { errPkt, parsePkts, PktError } from "./pkt.ts";
import { advertiseV2, fetchAnswer, lsRefs, parseCommand, planFetch, UploadPackError } from "./upload_pack.ts";
import { type RateRule, takeRate } from "../kv/rate_limit.ts";
import { UNKNOWN_SOURCE } from "../net/client_address.ts";

/** Wiki-relative path of the repository. */
export const GIT_PATH = "/wiki.git";

/** What the endpoint needs. */
export interface GitEndpointDeps {
  kv: Deno.Kv;
  wikis: { bySlug(slug: string): Promise<WikiRecord | null> };
  /** The authentication chain of the MCP endpoint (wiki tokens, OAuth access tokens). */
  verifiers: readonly Verifier[];
  /** Largest request body (a fetch's wants and haves), in bytes. */
  maxBodyBytes: number;
  /** Send HSTS (the public origin is https). */
  https: boolean;
}

/**
 * Serves `request` when it addresses `{wiki}/wiki.git/...`, else returns null. `source` is the client's rate-limit
 * source (lib/net/client_address.ts `sourceOf`).
 */
export type GitFastPath = (request: Request, slug: string, rest: string, source?: string) => Promise<Response> | null;

/**
 * Upload-pack requests (`ls-refs`, `fetch`: a clone is two, a fetch one or two) one client address may send, over
 * all wikis: a clone of a large wiki costs the server seconds of CPU, so anonymous clones of a public wiki must not
 * be able to keep it busy. Past it the client gets a git `ERR` line saying when to try again.
 */
export const GIT_RULE: RateRule = { name: "git_upload", limit: 60, windowMs: 10 * 60_000 };

const ADVERTISEMENT = "application/x-git-upload-pack-advertisement";
const RESULT = "application/x-git-upload-pack-result";

/** Builds the endpoint. */
export function createGitFastPath(deps: GitEndpointDeps): GitFastPath {
  const headers = protocolSecurityHeaders(deps.https);
  const cache = new HistoryCache(deps.kv);
  const serve = async (request: Request, slug: string, rest: string, source: string): Promise<Response> => {
    try {
      const sub = rest.slice(GIT_PATH.length);
      return withSecurityHeaders(await route(deps, cache, request, slug, sub, source), headers);
    } catch (err) {
      if (isKvFailure(err)) return withSecurityHeaders(text(503, "The wiki store is unavailable; try again."), headers);
      console.error("git endpoint:", err);
      return withSecurityHeaders(text(500, "Internal error in the wiki service; try again in a moment."), headers);
    }
  };
  return (request, slug, rest, source = UNKNOWN_SOURCE) =>
    rest === GIT_PATH || rest.startsWith(GIT_PATH + "/") ? serve(request, slug, rest, source) : null;
}

async function route(
  deps: GitEndpointDeps,
  cache: HistoryCache,
  req: Request,
  slug: string,
  sub: string,
  source: string,
): Promise<Response> {
  const url = new URL(req.url);
  const isRefs = sub === "/info/refs";
  const isRpc = sub === "/git-upload-pack";
  if (sub === "/git-receive-pack" || (isRefs && url.searchParams.get("service") === "git-receive-pack")) {
    return text(403, "This repository is read-only: push is not supported. Edit the wiki in the browser or over MCP.");
  }
  if (!isRefs && !isRpc) {
    return text(
      404,
      `Not a git address. Clone the wiki with: git clone ${url.origin}${url.pathname.split("/wiki.git")[0]}/wiki.git`,
    );
  }
  if (isRefs && req.method !== "GET" && req.method !== "HEAD") return text(405, "Use GET.", { allow: "GET" });
  if (isRpc && req.method !== "POST") return text(405, "Use POST.", { allow: "POST" });
  if (isRefs && url.searchParams.get("service") !== "git-upload-pack") {
    return text(403, "Only the smart protocol is served: use git 2.18 or later (git-upload-pack).");
  }
  const wiki = await authorize(deps, req, slug);
  if (wiki instanceof Response) return wiki;
  if (!/version=2/.test(req.headers.get("git-protocol") ?? "")) {
    const msg = "this server speaks git protocol version 2 only: use git 2.18 or later, or -c protocol.version=2";
    return isRefs ? gitBody(ADVERTISEMENT, errPkt(msg)) : gitBody(RESULT, errPkt(msg));
  }
  if (isRefs) return gitBody(ADVERTISEMENT, advertiseV2());
  const taken = await takeRate(deps.kv, { rule: GIT_RULE, subject: source });
  if (!taken.ok) {
    const msg = taken.reason === "limit"
      ? `too many git requests from your address; try again in ${taken.retryAfterSeconds} s`
      : `the wiki store is busy; try again in ${taken.retryAfterSeconds} s`;
    return gitBody(RESULT, errPkt(msg), { "retry-after": String(taken.retryAfterSeconds) });
  }
  const body = await readRequest(req, deps.maxBodyBytes);
  if (body instanceof Response) return body;
  try {
    const cmd = parseCommand(parsePkts(body));
    if (cmd.command !== "ls-refs" && cmd.command !== "fetch") {
      throw new UploadPackError(`unknown command ${JSON.stringify(cmd.command.slice(0, 40))}`);
    }
    const index = await cache.current(wiki.id);
    if (cmd.command === "ls-refs") return gitBody(RESULT, lsRefs(index, cmd.args));
    const plan = planFetch(index, cmd.args);
    return gitBody(RESULT, streamOf(fetchAnswer(deps.kv, index, plan)));
  } catch (err) {
    if (err instanceof PktError || err instanceof UploadPackError) return gitBody(RESULT, errPkt(err.message));
    if (err instanceof NotFoundError) return text(404, err.message); // deleted while this request ran
    throw err;
  }
}

/** The wiki when the request may read it, else the 401/403/404 that refuses it. */
async function authorize(deps: GitEndpointDeps, req: Request, slug: string): Promise<WikiRecord | Response> {
  const token = credential(req);
  if (token === null) {
    const wiki = await deps.wikis.bySlug(slug);
    if (wiki === null) return text(404, `No wiki called "${slug}" exists.`);
    if (readableByAnyone(wiki.visibility)) return wiki;
    return challenge("Authentication required: use a token of this wiki as the password (any user name).");
  }
  const bearer = new Request(req.url, { headers: { authorization: `Bearer ${token}` } });
  const auth = await authenticate(deps.kv, bearer, slug, deps.verifiers);
  if (auth.wiki === null) return text(404, `No wiki called "${slug}" exists.`);
  if (!auth.result.ok) {
    const why = auth.result.failure.kind === "invalid" ? auth.result.failure.description : "No credentials.";
    if (why === OTHER_WIKI_TOKEN) return text(403, `Forbidden: ${why} Use a token of this wiki.`);
    return challenge(`Invalid credentials: ${why}`);
  }
  if (!hasScope(auth.result.principal.scopes, "wiki:read")) {
    return text(403, "Forbidden: this credential does not have the wiki:read scope.");
  }
  return auth.wiki;
}

/** The password of HTTP Basic or the Bearer token; null without an Authorization header; "" when malformed. */
export function credential(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (header === null) return null;
  const basic = header.match(/^Basic[ ]+([A-Za-z0-9+/]+=*)\s*$/i);
  if (basic) {
    let decoded: string;
    try {
      decoded = new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(atob(basic[1]), (c) => c.charCodeAt(0)),
      );
    } catch {
      return "";
    }
    const colon = decoded.indexOf(":");
    return colon < 0 ? "" : decoded.slice(colon + 1);
  }
  const bearer = header.match(/^Bearer[ ]+(\S+)\s*$/i);
  return bearer ? bearer[1] : "";
}

/** The request body (gunzipped when git sent it gzip-encoded), or the 4xx that refuses it. */
async function readRequest(req: Request, max: number): Promise<Uint8Array | Response> {
  const encoding = (req.headers.get("content-encoding") ?? "").toLowerCase();
  try {
    if (encoding === "" || encoding === "identity") return await readBytes(req, max);
    if (encoding !== "gzip" && encoding !== "x-gzip") return text(415, `Unsupported Content-Encoding ${encoding}.`);
    const raw = await readBytes(req, max);
    const inflated = new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip")));
    return await readBytes(inflated, max);
  } catch (err) {
    if (err instanceof BodyError) return text(413, `Request too large (the limit is ${max} bytes).`);
    if (err instanceof TypeError) return text(400, "The request body is not valid gzip.");
    throw err;
  }
}

function challenge(message: string): Response {
  return text(401, message, { "www-authenticate": 'Basic realm="robot.wtf"' });
}

function text(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(message + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...extra },
  });
}

function gitBody(
  type: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
  extra: Record<string, string> = {},
): Response {
  return new Response(body as BodyInit, {
    headers: { "content-type": type, "cache-control": "no-cache, max-age=0, must-revalidate", ...extra },
  });
}

/** A byte stream pulling from `gen` (backpressure: the next chunk is made when the client has read the last). */
export function streamOf(gen: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await gen.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await gen.return(undefined);
    },
  }, { highWaterMark: 0 });
}
