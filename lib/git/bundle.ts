/**
 * @module
 * A wiki's whole history as one file, for exports: a pack stream, or a git bundle (version 2: `# v2 git bundle`,
 * `refs/heads/main` and `HEAD` at the newest commit, a blank line, then the pack) that `git clone wiki.bundle` and
 * `git fetch` read. The commits are the ones `{wiki}/wiki.git` serves (lib/git/history.ts), so a clone of the bundle and a clone over
 * HTTP share their ids. Streams: texts are read again page by page while the pack is written.
 */
import type { WikiId } from "../kv/keys.ts";
import { countObjects, type HistoryIndex, historyObjects, indexHistory } from "./history.ts";
import { packStream } from "./pack.ts";
import { joinBytes } from "./objects.ts";
import { BRANCH } from "./upload_pack.ts";

/** A wiki's history ready to write: the newest commit id, and the bytes as a stream. */
export interface HistoryFile {
  /** Hex id of the newest commit (the branch `refs/heads/main`). */
  tip: string;
  /** Number of commits (one per revision). */
  commits: number;
  /** The file's bytes, in chunks of about 64 KB. */
  chunks: AsyncGenerator<Uint8Array>;
}

/** The pack of a wiki's whole history (every object, no deltas); null when the wiki has no revision yet. */
export async function historyPack(kv: Deno.Kv, wikiId: WikiId, index?: HistoryIndex): Promise<HistoryFile | null> {
  const ix = index ?? await indexHistory(kv, wikiId);
  const tip = ix.commits[ix.commits.length - 1];
  if (tip === undefined) return null;
  const count = countObjects(ix, 0, tip.seq);
  return { tip: tip.oid, commits: ix.commits.length, chunks: packStream(count, historyObjects(kv, ix, 0, tip.seq)) };
}

/**
 * The git bundle (v2) of a wiki's whole history, with `refs/heads/main` at the newest revision: write it as
 * `history.bundle`; `git clone history.bundle` gives the same commits as cloning `{wiki}/wiki.git`. Null when the
 * wiki has no revision yet (git has no bundle of nothing).
 */
export async function historyBundle(kv: Deno.Kv, wikiId: WikiId, index?: HistoryIndex): Promise<HistoryFile | null> {
  const pack = await historyPack(kv, wikiId, index);
  if (pack === null) return null;
  const header = new TextEncoder().encode(`# v2 git bundle\n${pack.tip} ${BRANCH}\n${pack.tip} HEAD\n\n`);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield header;
    yield* pack!.chunks;
  }
  return { tip: pack.tip, commits: pack.commits, chunks: chunks() };
}

/** The git bundle of {@link historyBundle} as one byte array (for an export's `wiki.bundle` entry); null when empty. */
export async function historyBundleBytes(kv: Deno.Kv, wikiId: WikiId): Promise<Uint8Array | null> {
  const file = await historyBundle(kv, wikiId);
  if (file === null) return null;
  const parts: Uint8Array[] = [];
  for await (const chunk of file.chunks) parts.push(chunk);
  return joinBytes(parts);
}
