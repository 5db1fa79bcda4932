/**
 * @module
 * The operator's view of the remote embedder (`deno task embeddings:status`, scripts/embeddings_status.ts): the
 * configured model, the re-embed job's pass with done/total pages, when it last moved, its last error and who holds
 * its lease; optionally the stored remote vectors counted by model (one read of every record: slow on big stores).
 */
import type { WikiId } from "../../kv/keys.ts";
import { readReembedState, type ReembedLease } from "./reembed_state.ts";
import { RemoteKeys } from "./remote_store.ts";
import { REMOTE_MODEL_PREFIX } from "./page_vec_sink.ts";

/** Stored remote vectors by model (a `list` of every `page_vec` record, counting the `remote:` models). */
export async function countVectorsByModel(kv: Deno.Kv): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const e of kv.list<{ model: string }>({ prefix: ["page_vec"] }, { batchSize: 500 })) {
    if (!e.value.model.startsWith(REMOTE_MODEL_PREFIX)) continue;
    out.set(e.value.model, (out.get(e.value.model) ?? 0) + 1);
  }
  return out;
}

/** The status as lines of text. `configured` is the model id of `EMBEDDINGS_*`, null when none is configured. */
export async function embeddingsStatus(
  kv: Deno.Kv,
  configured: string | null,
  opts: { countVectors?: boolean; now?: number } = {},
): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const lines = [
    configured === null
      ? "remote embedder: not configured (EMBEDDINGS_URL unset): no page text leaves the service"
      : `remote embedder: ${configured}`,
  ];
  const st = await readReembedState(kv);
  if (st === null) lines.push("re-embed job: no pass yet");
  else {
    const pct = st.total > 0 ? Math.floor((100 * Math.min(st.done, st.total)) / st.total) : 100;
    const when = (t: number | null) => (t === null ? "-" : new Date(t).toISOString());
    lines.push(
      `${st.model}: ${st.done}/${st.total} pages (${pct}%), pass ${st.pass} ${st.phase}, ${st.embedded} embedded ` +
        `this pass`,
      `  started ${when(st.startedAt)}, updated ${when(st.updatedAt)}, finished ${when(st.finishedAt)}`,
    );
    if (st.lastError) lines.push(`  last error: ${st.lastError}`);
    if (configured !== null && st.model !== configured) {
      lines.push(`  the configured model differs: the next pass re-embeds every page with ${configured}`);
    }
    const cur = st.cursor.walking;
    if (st.phase === "running") {
      lines.push(
        `  cursor: ${cur ? `wiki ${cur.wikiId} after "${cur.afterPath ?? ""}"` : afterWiki(st.cursor.afterWiki)}`,
      );
    }
  }
  const lease = (await kv.get<ReembedLease>(RemoteKeys.jobLease())).value;
  lines.push(
    lease && lease.expiresAt > now
      ? `  runner: ${lease.holder} (lease until ${new Date(lease.expiresAt).toISOString()})`
      : "  runner: none working now",
  );
  if (opts.countVectors) {
    for (const [model, n] of [...await countVectorsByModel(kv)].sort()) lines.push(`vectors of ${model}: ${n}`);
  }
  return lines;
}

function afterWiki(id: WikiId | null): string {
  return id === null ? "at the first wiki" : `after wiki ${id}`;
}
