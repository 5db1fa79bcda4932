/**
 * @module
 * Shared parts of the KV fault tests: the sweep that fails each KV call of an operation in turn, the checks that a
 * 503 has the right shape and leaks nothing, and a consistency check of a wiki's records in KV.
 */
import { assertEquals, assertOk } from "../assert.ts";
import {
  FAULT_PATH,
  FAULT_SECRET,
  type FaultController,
  type FaultKind,
  type FaultMode,
  type KvCall,
  WRITE_OPS,
} from "./faulty_kv.ts";
import type { PageHead, WikiState } from "../../lib/wiki/records.ts";

/** Injected error kinds, in rotation over the fault points. */
export const KINDS: readonly FaultKind[] = ["locked", "network", "closed"];

/** One fault point of a sweep: the k-th KV call of the operation (1-based) and how it fails. */
export interface Point {
  k: number;
  mode: FaultMode;
  call: KvCall;
  /** Label for assertion messages. */
  label: string;
}

/** A fixture with a fault controller. */
export interface Faulty {
  faults: FaultController;
  close(): void | Promise<void>;
}

/** What a sweep runs. */
export interface SweepSpec<F extends Faulty> {
  /** A fresh fixture (a new in-memory store each time, so every run sees the same calls). */
  setup(): Promise<F>;
  /** The operation under test. */
  run(f: F): Promise<Response>;
  /** Asserts the healthy outcome (also used to recognise a run whose fault the app tolerated). */
  healthy(res: Response, f: F): Promise<void>;
  /** Whether `res` is the healthy outcome (status only; the body is not read). */
  isHealthy(res: Response): boolean;
  /** Checks the answer to a failed run (503 shape, no leak) and the state right after it, KV still failing. */
  afterFailure(f: F, res: Response, point: Point): Promise<void>;
  /** After recovery: checks the state and that the operation completes (retrying it when it did not happen). */
  retry(f: F, point: Point): Promise<void>;
}

/** Outcome counts of a sweep. */
export interface SweepResult {
  /** Number of KV calls of the healthy operation. */
  calls: number;
  points: number;
  /** Runs answered 503. */
  unavailable: number;
}

/**
 * Runs the operation healthy once to count its KV calls (N), then for k = 1..N runs it on a fresh fixture with the
 * k-th call failing: before it does anything, and, for a write, also after it was applied (a lost answer). After each
 * failure the spec checks the answer and the state, then the store recovers and the spec checks that the operation
 * completes.
 */
export async function sweepFaults<F extends Faulty>(spec: SweepSpec<F>): Promise<SweepResult> {
  const f0 = await spec.setup();
  let calls: KvCall[];
  try {
    f0.faults.resetLog();
    const res = await spec.run(f0);
    await spec.healthy(res, f0);
    calls = [...f0.faults.calls];
  } finally {
    await f0.close();
  }
  assertOk(calls.length > 0, "the operation made no KV call");
  const result: SweepResult = { calls: calls.length, points: 0, unavailable: 0 };
  for (let k = 1; k <= calls.length; k++) {
    const call = calls[k - 1];
    const modes: FaultMode[] = WRITE_OPS.includes(call.op) ? ["before", "after"] : ["before"];
    for (const mode of modes) {
      const kind = KINDS[k % KINDS.length];
      const point: Point = {
        k,
        mode,
        call,
        label: `call ${k}/${calls.length} (${call.op} ${JSON.stringify(call.keys[0] ?? [])}) failing ${mode}, ${kind}`,
      };
      const f = await spec.setup();
      try {
        f.faults.resetLog();
        f.faults.failNth(k, { mode, kind });
        const res = await spec.run(f);
        assertEquals(f.faults.injected, 1, `${point.label}: the fault did not fire (the calls changed)`);
        assertOk(res.status !== 500, `${point.label}: answered 500`);
        if (res.status === 503) result.unavailable++;
        else assertOk(spec.isHealthy(res), `${point.label}: answered ${res.status}, neither 503 nor success`);
        await spec.afterFailure(f, res, point);
        f.faults.recover();
        await spec.retry(f, point);
      } finally {
        await f.close();
      }
      result.points++;
    }
  }
  return result;
}

/** Text that must never appear in an answer: stack frames, file paths, the injected error's message. */
const LEAKS: readonly RegExp[] = [
  /\bat [^\s]+ \(/, // a stack frame "at fn (file:line:col)"
  /\n\s+at\s/, // a stack frame on its own line
  /file:\/\//,
  /\.tsx?:\d+/,
  /\/(?:srv|work|home|tmp|usr|var)\//,
  /KvUnavailableError|BadResource|database is locked|connection reset/i,
];

/**
 * Asserts that the body and headers of `res` contain none of `secrets` (tokens, codes, cookies, key material) and
 * nothing of the injected error (message, path, marker) or any stack frame; returns the body text.
 */
export async function assertNoLeak(res: Response, secrets: readonly string[], label: string): Promise<string> {
  const body = await res.text();
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  for (const text of [body, headers]) {
    for (const s of [FAULT_SECRET, FAULT_PATH, ...secrets]) {
      assertOk(s === "" || !text.includes(s), `${label}: the answer leaks ${s.slice(0, 12)}...`);
    }
    for (const re of LEAKS) assertOk(!re.test(text), `${label}: the answer matches ${re}: ${text.slice(0, 300)}`);
  }
  return body;
}

/** Shapes of a 503. */
export type UnavailableShape = "page" | "json" | "oauth" | "rpc";

/**
 * Asserts that `res` is the 503 of an unavailable store in `shape` (a readable HTML page; the JSON of a client that
 * prefers it; an OAuth `temporarily_unavailable`; a JSON-RPC error), with `Retry-After`, leaking nothing.
 */
export async function assertUnavailable(
  res: Response,
  shape: UnavailableShape,
  secrets: readonly string[],
  label: string,
): Promise<string> {
  assertEquals(res.status, 503, `${label}: status`);
  const retry = Number(res.headers.get("retry-after"));
  assertOk(Number.isInteger(retry) && retry > 0, `${label}: Retry-After is ${res.headers.get("retry-after")}`);
  const type = res.headers.get("content-type") ?? "";
  const body = await assertNoLeak(res, secrets, label);
  if (shape === "page") {
    assertOk(type.startsWith("text/html"), `${label}: content-type ${type}`);
    assertOk(/temporarily unavailable/i.test(body), `${label}: the page does not say what happened`);
    return body;
  }
  assertOk(type.includes("json"), `${label}: content-type ${type}`);
  const json = JSON.parse(body);
  if (shape === "oauth") {
    assertEquals(json.error, "temporarily_unavailable", `${label}: OAuth error`);
    assertOk(typeof json.error_description === "string", `${label}: no error_description`);
    assertEquals(res.headers.get("cache-control"), "no-store", `${label}: cache-control`);
  } else if (shape === "rpc") {
    assertEquals(json.jsonrpc, "2.0", `${label}: not JSON-RPC`);
    assertEquals(typeof json.error?.code, "number", `${label}: no JSON-RPC error code`);
    assertOk(/temporarily unavailable/i.test(json.error.message), `${label}: message ${json.error?.message}`);
  } else {
    assertEquals(json.error, "temporarily_unavailable", `${label}: JSON error`);
  }
  return body;
}

/** Every entry under `prefix`. */
export async function listAll<T = unknown>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>({ prefix })) out.push(e);
  return out;
}

/**
 * Asserts that a wiki's records agree with each other (docs/kv-schema.md): `wiki_state` counts the live pages and
 * their bytes (plus attachments), its `seq` equals the number of revisions and of change-feed entries, every head's
 * revision and history entry exist, and the backlink index is exactly the links of the live pages. Returns the live
 * heads by path.
 */
export async function assertWikiConsistent(
  kv: Deno.Kv,
  wikiId: string,
  label: string,
): Promise<Map<string, PageHead>> {
  const state = (await kv.get<WikiState>(["wiki_state", wikiId])).value;
  assertOk(state !== null, `${label}: the wiki has no state`);
  const heads = (await listAll<PageHead>(kv, ["page", wikiId])).map((e) => e.value);
  const live = new Map(heads.filter((h) => !h.deleted).map((h) => [h.path, h]));
  const attBytes = (await listAll<{ size: number }>(kv, ["att", wikiId])).reduce((n, e) => n + e.value.size, 0);
  assertEquals(state.pages, live.size, `${label}: wiki_state.pages`);
  assertEquals(state.bytes, [...live.values()].reduce((n, h) => n + h.bytes, 0) + attBytes, `${label}: bytes`);
  const changes = await listAll(kv, ["change", wikiId]);
  const revs = await listAll(kv, ["rev", wikiId]);
  assertEquals(changes.length, state.seq, `${label}: change feed entries vs seq`);
  assertEquals(revs.length, state.seq, `${label}: revisions vs seq`);
  for (const h of heads) {
    assertOk((await kv.get(["rev", wikiId, h.last.id])).value !== null, `${label}: ${h.path}: its revision is missing`);
    const hist = await kv.get(["page_hist", wikiId, h.pageId, h.seq]);
    assertOk(hist.value !== null, `${label}: ${h.path}: its history entry is missing`);
  }
  const expected = new Set<string>();
  for (const h of live.values()) for (const t of h.links) expected.add(JSON.stringify([t, h.path]));
  const actual = new Set((await listAll(kv, ["link", wikiId])).map((e) => JSON.stringify(e.key.slice(2))));
  assertEquals([...actual].sort(), [...expected].sort(), `${label}: backlink index vs page links`);
  return live;
}

/** Every wiki id (`w_...`) that appears in a key of the store (rate counters aside), with the key types it appears in. */
export async function wikiIdsInStore(kv: Deno.Kv): Promise<Map<string, Set<string>>> {
  const ids = new Map<string, Set<string>>();
  for await (const e of kv.list({ prefix: [] })) {
    // Rate-limit counters (`["rate", rule, bucket, ...subject]`, e.g. registrations per source and wiki) hold only a
    // count and are swept by the limiter once their window has passed (lib/kv/rate_limit.ts): not wiki records.
    if (e.key[0] === "rate") continue;
    for (const part of e.key) {
      if (typeof part !== "string" || !/^w_[a-z2-7]{20}$/.test(part)) continue;
      if (!ids.has(part)) ids.set(part, new Set());
      ids.get(part)!.add(String(e.key[0]));
    }
  }
  return ids;
}
