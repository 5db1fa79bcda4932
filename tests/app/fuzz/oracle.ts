/**
 * @module
 * What the fuzzer calls a failure, for one request: a 5xx; an "internal error" answer (a tool result saying
 * "Internal error", or JSON-RPC -32603: the server failed on a client's input, which is a server bug); a stack
 * trace, file path or JavaScript error name in the answer (body or headers); an answer slower than
 * {@link SLOW_MS} (a hang guard, not a performance claim); or an error the server logged while answering.
 */

/** A request the fuzzer sends. */
export interface FuzzCase {
  /** What the generator did, for the failure report (e.g. `mcp tools/call download_attachment filename=…`). */
  label: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** The body, or a function building it (large bodies are built only when sent). */
  body?: BodyInit | (() => BodyInit);
}

/** Slower than this, an answer counts as a hang. */
export const SLOW_MS = 5_000;

/** Stack frames and other signs of an internal error leaking out. */
const LEAKS: readonly [string, RegExp][] = [
  ["stack trace", /\n\s*at [^\n]*(:\d+:\d+|\(native\)|<anonymous>)/],
  ["stack trace", /\bat (async )?[\w$.<>]+ \((file|ext|node|https?):/],
  // A source file on disk (`/work/…/x.ts`, `file:///…`), a runtime-internal module, or a `file.ts:12:34` position.
  [
    "file path",
    /file:\/\/|\/(?:work|root|home|tmp|usr|opt|var|srv|app)\/\S*\.(?:tsx?|m?js)\b|ext:deno|node:internal|\.(?:tsx?|m?js):\d+:\d+/,
  ],
  ["error name", /\b(TypeError|RangeError|ReferenceError|SyntaxError|EvalError|URIError|AggregateError)\b/],
  ["internal error", /Internal error|"code"\s*:\s*-32603/i],
];

/** A response as observed. */
export interface Observed {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
  /** What the server logged (console.error / console.warn) while answering. */
  logs: string[];
}

/**
 * The reasons `seen` is a failure (empty: fine). A leak pattern that also occurs in the request's own text is an
 * echo of the input, not a leak (generated input never contains these markers: values.ts `scrub`).
 */
export function judge(requestText: string, seen: Observed): string[] {
  const reasons: string[] = [];
  if (seen.status >= 500) reasons.push(`HTTP ${seen.status}`);
  const answer = seen.text + "\n" + [...seen.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  for (const [what, re] of LEAKS) {
    const m = answer.match(re);
    if (m && !requestText.includes(m[0]) && !reasons.some((r) => r.startsWith(what))) {
      const at = m.index ?? 0;
      reasons.push(`${what}: ${JSON.stringify(answer.slice(Math.max(0, at - 60), at + 100))}`);
    }
  }
  if (seen.ms > SLOW_MS) reasons.push(`slow: ${(seen.ms / 1000).toFixed(1)} s (hang guard ${SLOW_MS / 1000} s)`);
  if (seen.logs.length > 0) reasons.push(`server logged: ${seen.logs[0].slice(0, 300)}`);
  return reasons;
}

/** Resident set size of the process, in bytes. */
export function rss(): number {
  return Deno.memoryUsage().rss;
}
