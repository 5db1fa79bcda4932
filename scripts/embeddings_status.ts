/**
 * @module
 * Shows the remote embedder's progress (issue 12 item 4): the configured model (`EMBEDDINGS_*`), the re-embed job's
 * done/total pages, its last error and its runner. With `--count`, also the stored remote vectors by model (reads
 * every vector record). Opens the app's KV (a local KV file may be in use by the running app: then stop it, or use
 * the app's log lines `embeddings: …`; with KV Connect it works alongside the app).
 *
 *   deno task embeddings:status [--count]
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.ts";
import { openKv } from "../lib/kv/open.ts";
import { remoteModelId } from "../lib/wiki/meaning/remote_embedder.ts";
import { embeddingsStatus } from "../lib/wiki/meaning/reembed_status.ts";

/** Prints the status; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { count: { type: "boolean" } } });
  const config = loadConfig();
  let kv: Deno.Kv;
  try {
    kv = await openKv(config.kvPath);
  } catch (err) {
    console.error(`Cannot open the KV store ${config.kvPath}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  try {
    const model = config.embeddings ? remoteModelId(config.embeddings) : null;
    for (const line of await embeddingsStatus(kv, model, { countVectors: values.count })) console.log(line);
    return 0;
  } finally {
    kv.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
