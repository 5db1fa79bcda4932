/**
 * Preload for Node peers (`node --require <this file> ...`, e.g. mcp-remote): `localhost` and every `*.localhost`
 * name resolve to 127.0.0.1, as they do in Chromium, so a subdomain-mode wiki (`alice.localhost:<port>`) is
 * reachable. Node's fetch connects through `net`/`tls`, which look the name up with `dns.lookup` at connect time;
 * the TLS server name (SNI, certificate check) stays the original host.
 */
"use strict";
const dns = require("node:dns");

const systemLookup = dns.lookup;

/** `dns.lookup` with loopback for localhost names and the system resolver otherwise. */
dns.lookup = function lookup(host, options, callback) {
  const name = typeof host === "string" && (host === "localhost" || host.endsWith(".localhost")) ? "127.0.0.1" : host;
  return systemLookup.call(this, name, options, callback);
};
