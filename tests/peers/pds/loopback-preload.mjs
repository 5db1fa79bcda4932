// Preload for the PDS peer (node --import ./loopback-preload.mjs start.mjs):
// 1. every server that listens on a bare port binds 127.0.0.1 instead of all interfaces;
// 2. host names listed in $PEER_LOOPBACK_HOSTS (comma-separated) resolve to 127.0.0.1 in this process only,
//    so the PDS can fetch a confidential client's metadata from a test app on loopback (no /etc/hosts edit).
import net from "node:net";
import dns from "node:dns";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const barePort = typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first));
  if (barePort && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && first.port !== undefined && !first.host && !first.path) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};

const mapped = new Set(
  (process.env.PEER_LOOPBACK_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
);
if (mapped.size > 0) {
  const lookup = dns.lookup;
  dns.lookup = function (hostname, options, callback) {
    if (typeof options === "function") [callback, options] = [options, {}];
    if (typeof options === "number") options = { family: options };
    if (!mapped.has(String(hostname).toLowerCase())) return lookup.call(this, hostname, options, callback);
    const all = [{ address: "127.0.0.1", family: 4 }];
    if (options?.all) process.nextTick(callback, null, all);
    else process.nextTick(callback, null, "127.0.0.1", 4);
  };
  const lookupPromise = dns.promises.lookup;
  dns.promises.lookup = (hostname, options) => {
    if (!mapped.has(String(hostname).toLowerCase())) return lookupPromise(hostname, options);
    const one = { address: "127.0.0.1", family: 4 };
    return Promise.resolve(options?.all ? [one] : one);
  };
}
