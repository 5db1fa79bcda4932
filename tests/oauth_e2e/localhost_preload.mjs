/**
 * Preload (`deno run --preload`) for npm tools that make their HTTP requests with undici rather than `fetch`
 * (the MCP conformance suite): `localhost` and every `*.localhost` name resolve to 127.0.0.1, as they do in
 * Chromium, so a subdomain-mode wiki (`alice.localhost:<port>`) is reachable. undici keeps its global dispatcher
 * under a `Symbol.for` key, so this also reaches the copy inside the tool.
 */
import { Agent, setGlobalDispatcher } from "npm:undici@7.30.2";
import dns from "node:dns";

/** `net.connect` lookup: loopback for localhost names, the system resolver otherwise. */
function lookup(host, options, callback) {
  const name = host === "localhost" || host.endsWith(".localhost") ? "127.0.0.1" : host;
  dns.lookup(name, options, callback);
}

setGlobalDispatcher(new Agent({ connect: { lookup } }));
