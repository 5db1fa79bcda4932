/**
 * @module
 * Classification of IP addresses for the SSRF guard: which addresses an outbound request may reach.
 *
 * Only public unicast addresses pass. IPv4 special-purpose ranges (RFC 6890 and friends) are refused; IPv6 is
 * refused outside global unicast `2000::/3`, and addresses that embed an IPv4 address (IPv4-mapped, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the embedded address. docs/ssrf.md lists every range.
 */

/** Why an address is refused, or `"loopback"` for loopback (allowed only with the test opt-in). */
export type AddressVerdict = "public" | "loopback" | "private" | "invalid";

/** IPv4 ranges refused besides loopback 127/8, as [network, prefix length]. */
const V4_BLOCKED: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4], // includes 255.255.255.255
];

/** Parses a strict dotted-quad IPv4 address (`1.2.3.4`, decimal, no leading zeros) to a 32-bit number, or null. */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** Parses an IPv6 address (no brackets, no zone id; embedded dotted IPv4 allowed) to 8 16-bit groups, or null. */
export function parseIPv6(text: string): number[] | null {
  if (text.includes("%")) return null;
  let s = text.toLowerCase();
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = s.slice(0, lastColon + 1) + (v4 >>> 16).toString(16) + ":" + (v4 & 0xffff).toString(16);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  if (head === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const rest = parse(halves[1]);
  if (rest === null) return null;
  const known = head.length + rest.length;
  if (known > 7) return null;
  return [...head, ...new Array(8 - known).fill(0), ...rest];
}

function inV4Range(addr: number, base: string, prefix: number): boolean {
  const b = parseIPv4(base)!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((addr & mask) >>> 0) === ((b & mask) >>> 0);
}

/** Classifies a numeric IPv4 address. */
export function classifyIPv4(addr: number): AddressVerdict {
  if (inV4Range(addr, "127.0.0.0", 8)) return "loopback";
  for (const [base, prefix] of V4_BLOCKED) if (inV4Range(addr, base, prefix)) return "private";
  return "public";
}

/** Classifies IPv6 groups, following embedded IPv4 addresses. */
export function classifyIPv6(g: number[]): AddressVerdict {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const v4At = (i: number) => ((g[i] << 16) >>> 0) + g[i + 1];
  if (zeroUpTo(7) && g[7] === 1) return "loopback"; // ::1
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyIPv4(v4At(6)); // ::ffff:0:0/96 IPv4-mapped
  if (zeroUpTo(6)) return "private"; // :: and ::/96 IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return classifyIPv4(v4At(6)) === "public" ? "public" : "private"; // NAT64 well-known prefix
  }
  if (g[0] === 0x2002) return classifyIPv4(v4At(1)) === "public" ? "public" : "private"; // 6to4
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "private"; // documentation
  if (g[0] === 0x2001 && g[1] === 0) return "private"; // Teredo (embeds an obfuscated IPv4)
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return "private"; // 100::/64 discard
  if ((g[0] & 0xe000) !== 0x2000) return "private"; // outside global unicast 2000::/3: fc00::/7, fe80::/10, ff00::/8 …
  return "public";
}

/** Classifies an IP address given as text (IPv4 dotted quad, or IPv6 with or without brackets). */
export function classifyAddress(text: string): AddressVerdict {
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyIPv4(v4);
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v6 = parseIPv6(bare);
  if (v6 !== null) return classifyIPv6(v6);
  return "invalid";
}
