/**
 * @module
 * The client address of a request, as the limits per source (sign-in attempts, OAuth registrations, client
 * metadata fetches) count it.
 *
 * It is the address of the TCP connection as `Deno.serve` hands it to the handler (`info.remoteAddr`); on Deno
 * Deploy that is the client's address too. `X-Forwarded-For` and similar headers are NOT trusted: anyone can send
 * them, so a limit keyed on them would be a limit on nothing. (Behind a proxy of your own every request would share
 * the proxy's address; there is no setting for trusting one yet.)
 *
 * Addresses are reduced to what one client controls: an IPv4 address as is (an IPv4-mapped IPv6 address as its
 * IPv4 form), an IPv6 address to its /64 (one customer line or host usually gets a whole /64). Requests that come
 * without connection info (tests calling `app.fetch` directly) share the source {@link UNKNOWN_SOURCE}.
 */
import { parseIPv4, parseIPv6 } from "./addresses.ts";

/** What `Deno.serve` passes a handler as its second argument; only the remote address is read. */
export interface ConnectionInfo {
  readonly remoteAddr?: Deno.Addr;
}

/** The source of requests that carry no connection info. */
export const UNKNOWN_SOURCE = "unknown";

/** The rate-limit source of a connection: `203.0.113.7`, `2001:db8:1:2::/64`, or {@link UNKNOWN_SOURCE}. */
export function sourceOf(info?: ConnectionInfo): string {
  const addr = info?.remoteAddr;
  if (!addr || (addr.transport !== "tcp" && addr.transport !== "udp")) return UNKNOWN_SOURCE;
  return sourceOfAddress(addr.hostname);
}

/** The rate-limit source of an address given as text (brackets allowed around IPv6). */
export function sourceOfAddress(text: string): string {
  const host = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (parseIPv4(host) !== null) return host;
  const g = parseIPv6(host);
  if (!g) return UNKNOWN_SOURCE;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join(".");
  }
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(":")}::/64`;
}
