/**
 * @module
 * The server side of git's upload-pack, protocol version 2 (gitprotocol-v2), stateless (each HTTP request carries a
 * whole command): the capability advertisement, `ls-refs` (one branch, `refs/heads/main`, and `HEAD` pointing at
 * it) and `fetch` (wants, haves, `done`; the answer's packfile holds only the objects first made after the newest
 * revision the client already has, so a `git fetch` transfers only what is new). No deltas, no shallow, no filters:
 * a request for them gets an `ERR` packet naming what is not supported.
 */
import { countObjects, type HistoryIndex, historyObjects } from "./history.ts";
import { isHexOid } from "./objects.ts";
import { packStream } from "./pack.ts";
import { joinBytes } from "./objects.ts";
import { DELIM, FLUSH, type Packet, pkt, pktBlock, sideband } from "./pkt.ts";

/** The one branch of a wiki's repository. */
export const BRANCH = "refs/heads/main";

/** The capability advertisement of protocol v2 (the answer to `GET info/refs` with `Git-Protocol: version=2`). */
export function advertiseV2(): Uint8Array {
  return pktBlock(["version 2", "agent=robot.wtf", "ls-refs", "fetch", "object-format=sha1"]);
}

/** A client's request that upload-pack refuses: answered with an `ERR` packet. */
export class UploadPackError extends Error {
  /** A refusal with the message the client shows. */
  constructor(message: string) {
    super(message);
    this.name = "UploadPackError";
  }
}

/** A parsed v2 command: its name, capability lines and arguments. */
export interface V2Command {
  command: string;
  capabilities: string[];
  args: string[];
}

/** Splits a v2 request into its command, capabilities and arguments; UploadPackError when it is not one. */
export function parseCommand(packets: readonly Packet[]): V2Command {
  const first = packets[0];
  if (first?.kind !== "line" || !first.text.startsWith("command=")) {
    throw new UploadPackError("expected a protocol v2 command (command=ls-refs or command=fetch)");
  }
  const capabilities: string[] = [];
  const args: string[] = [];
  let i = 1;
  for (; i < packets.length; i++) {
    const p = packets[i];
    if (p.kind !== "line") break;
    capabilities.push(p.text);
  }
  if (packets[i]?.kind === "delim") {
    for (i++; i < packets.length; i++) {
      const p = packets[i];
      if (p.kind !== "line") break;
      args.push(p.text);
    }
  }
  if (packets[i]?.kind !== "flush") throw new UploadPackError("the command does not end with a flush packet");
  return { command: first.text.slice("command=".length), capabilities, args };
}

/** The answer to `ls-refs`: `HEAD` and `refs/heads/main` at the newest commit (nothing for an empty wiki). */
export function lsRefs(index: HistoryIndex, args: readonly string[]): Uint8Array {
  const tip = index.commits[index.commits.length - 1]?.oid;
  if (tip === undefined) return FLUSH;
  const prefixes = args.filter((a) => a.startsWith("ref-prefix ")).map((a) => a.slice("ref-prefix ".length));
  const symrefs = args.includes("symrefs");
  const wanted = (ref: string) => prefixes.length === 0 || prefixes.some((p) => ref.startsWith(p));
  const lines: string[] = [];
  if (wanted("HEAD")) lines.push(`${tip} HEAD${symrefs ? ` symref-target:${BRANCH}` : ""}`);
  if (wanted(BRANCH)) lines.push(`${tip} ${BRANCH}`);
  return pktBlock(lines);
}

/** Arguments of `fetch` that change nothing for this server (it sends no deltas, tags or progress anyway). */
const HARMLESS_FETCH_ARGS = new Set(["thin-pack", "no-progress", "include-tag", "ofs-delta", "done"]);

/** What a `fetch` asks for, resolved against the index: the newest wanted and newest common revision. */
export interface FetchPlan {
  done: boolean;
  /** The seq of the newest wanted commit. */
  target: number;
  /** The seq of the newest commit the client has (0: none). */
  base: number;
  /** The client's haves that are commits of this history. */
  common: string[];
}

/** Resolves a `fetch` command's arguments; UploadPackError for an unknown want or an unsupported argument. */
export function planFetch(index: HistoryIndex, args: readonly string[]): FetchPlan {
  const seqOf = new Map(index.commits.map((c) => [c.oid, c.seq]));
  let target = -1;
  let base = 0;
  const common: string[] = [];
  for (const a of args) {
    const [verb, value] = [a.split(" ", 1)[0], a.slice(a.indexOf(" ") + 1)];
    if (verb === "want") {
      if (!isHexOid(value)) throw new UploadPackError(`invalid want ${JSON.stringify(value.slice(0, 60))}`);
      const seq = seqOf.get(value);
      if (seq === undefined) throw new UploadPackError(`upload-pack: not our ref ${value}`);
      target = Math.max(target, seq);
    } else if (verb === "have") {
      if (!isHexOid(value)) throw new UploadPackError(`invalid have ${JSON.stringify(value.slice(0, 60))}`);
      const seq = seqOf.get(value);
      if (seq !== undefined) {
        common.push(value);
        base = Math.max(base, seq);
      }
    } else if (!HARMLESS_FETCH_ARGS.has(a)) {
      throw new UploadPackError(
        `fetch argument ${JSON.stringify(a.slice(0, 60))} is not supported by this read-only wiki repository ` +
          `(no shallow clones, filters or ref wants)`,
      );
    }
  }
  if (target < 0) throw new UploadPackError("fetch without a want");
  return { done: args.includes("done"), target, base: Math.min(base, target), common };
}

/**
 * The answer to `fetch`: without `done` and without a common commit, a NAK (the client sends more haves or
 * `done`); otherwise the acknowledgments (when not `done`), then the packfile section, side-band framed.
 */
export async function* fetchAnswer(kv: Deno.Kv, index: HistoryIndex, plan: FetchPlan): AsyncGenerator<Uint8Array> {
  if (!plan.done) {
    if (plan.common.length === 0) {
      yield pktBlock(["acknowledgments", "NAK"]);
      return;
    }
    yield joinBytes([pkt("acknowledgments"), ...plan.common.map((c) => pkt(`ACK ${c}`)), pkt("ready"), DELIM]);
  }
  yield pkt("packfile");
  const count = countObjects(index, plan.base, plan.target);
  try {
    for await (const chunk of packStream(count, historyObjects(kv, index, plan.base, plan.target))) {
      yield* sideband(chunk);
    }
  } catch (err) {
    // The answer has started: the client learns of the failure on the error band, then the stream ends.
    console.error("git fetch: pack failed:", err);
    yield* sideband(new TextEncoder().encode("error: the wiki could not be read; try again\n"), 3);
    throw err;
  }
  yield FLUSH;
}
