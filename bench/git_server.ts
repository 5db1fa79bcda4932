/**
 * @module
 * The server process of the git benchmark (bench/git_bench.ts): opens a KV file written by the benchmark, builds
 * the app on it and serves it on a loopback port, printing `port <n>` when ready. A separate process, so that its
 * peak RSS (`VmHWM`) and CPU time are the clone's alone, not the generator's.
 *
 *   deno run --allow-all bench/git_server.ts <kv file>
 */
import { createApp } from "../main.ts";
import { testConfig } from "../lib/config.ts";

if (import.meta.main) {
  const kv = await Deno.openKv(Deno.args[0]);
  let app: Awaited<ReturnType<typeof createApp>> | null = null;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    return app ? app.fetch(req) : new Response("starting", { status: 503 });
  });
  app = await createApp(testConfig({ publicOrigin: `http://localhost:${server.addr.port}` }), kv);
  console.log(`port ${server.addr.port}`);
  await server.finished;
}
