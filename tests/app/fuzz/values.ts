/**
 * @module
 * Hostile input values: strings of every awkward shape (empty, control characters, lone surrogates, path tricks,
 * markup, prototype names, numbers in disguise, lengths around the KV key limit), JSON values of the wrong type,
 * and raw (possibly broken) percent-encodings. Generated values never contain the markers the oracle looks for
 * in answers (file paths, stack frames): {@link scrub} removes them, so an echo of fuzz input is never mistaken
 * for a leak.
 */
import type { Rng } from "./rng.ts";

/** Fixed awkward strings. */
const ODD_STRINGS: readonly string[] = [
  "",
  " ",
  "\t\r\n",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31m",
  "\ud800",
  "\udfff x",
  "\ufeff",
  "\u202e\u0644\u0627",
  "e\u0301",
  "\u200b\u200d",
  "😀🏳️‍🌈",
  "Ａｌｉｃｅ",
  "../../etc/passwd",
  "..",
  ".",
  "/",
  "//",
  "a//b",
  "a/./b",
  "a\\b",
  " Home ",
  "Home/",
  "home",
  "Home",
  "-",
  "-/edit/Home",
  "mcp",
  ".well-known",
  "%ZZ",
  "%00",
  "%FF%FE",
  "%2e%2e%2f",
  "<script>alert(1)</script>",
  "'\"><img src=x onerror=alert(1)>",
  "[[Home]]",
  "[[a|b]] [[../x]] [[",
  "---\nfoo: [\n---\nbody",
  "---\ntags: [a, b]\ncategory: c\n---\n# T\n",
  "{{7*7}} ${x} #{x}",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "-1",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "9007199254740993",
  "0x10",
  "0000000",
  "abcdef1",
  "ffffffffffffffffffffffffffffffff",
  "zzzzzzz",
  "2026-13-45",
  "9999-12-31T23:59:59Z",
  "-271821-04-20",
  "http://evil.example/",
  "javascript:alert(1)",
  "data:text/html,x",
  "//evil.example",
  "https://claude.ai/api/mcp/auth_callback",
  "http://localhost:8000/w/alice/",
  "http://127.0.0.1:8000/",
  "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
  "did:web:evil.example",
  "did:plc:alice0000000000000000000",
  "alice.test",
  "@alice.test",
  "rwtf_xxxxxxxx",
  "rwat_w_aaaaaaaaaaaaaaaaaaaa.g_aaaaaaaaaaaaaaaaaaaa.ZGlk.aaaa",
  "rwrt_g_aaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "rwac_g_aaaaaaaaaaaaaaaaaaaa.aaaa",
  "(a+)+$",
  "\\",
  "[",
  "*",
  "> ",
  "a".repeat(64) + "!",
];

/** Alphabets long strings are drawn from. */
const ALPHABETS: readonly string[] = [
  "a",
  "abcdefghijklmnopqrstuvwxyz",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
  "ab cd/ef.gh_ij",
  "é",
  "é😀ü",
  "%ZZ",
  "[[]]**__`#>|<&\n",
  "\u0000\u0001\u007f",
  "/.",
];

/** Lengths around the interesting limits (page path 512 bytes, filename 255, KV key 2048/2049, and beyond). */
const LONG_LENGTHS = [64, 255, 256, 512, 513, 1000, 2047, 2048, 2049, 3000, 5000, 20_000] as const;

/** Leak markers the oracle looks for; generated input never contains them. */
const MARKERS = /file:|\/(?:work|root|home|tmp|usr|opt|var|srv|app)\/|ext:|node:|\.(?:tsx?|m?js)\b|\n\s*at /gi;

/** Removes the oracle's leak markers from generated input (see the module comment). */
export function scrub(text: string): string {
  return text.replace(MARKERS, (m) => m.replace(/[:/.]/g, "_").replace(/\n/g, " "));
}

/** A string of `n` characters from a seeded alphabet (never containing a leak marker). */
export function longString(rng: Rng, n: number, alphabet = rng.pick(ALPHABETS)): string {
  const unit = rng.chars(alphabet, Math.min(n, 64));
  return scrub(unit.repeat(Math.ceil(n / Math.max(1, unit.length))).slice(0, n));
}

/** A hostile string: an odd one, a random short one, or a long one (lengths around the limits). */
export function hostileString(rng: Rng): string {
  switch (rng.weighted({ odd: 5, short: 2, long: 2, mixed: 1 })) {
    case "odd":
      return scrub(rng.pick(ODD_STRINGS));
    case "short":
      return scrub(rng.chars(rng.pick(ALPHABETS), rng.int(1, 24)));
    case "long":
      return longString(rng, rng.pick(LONG_LENGTHS));
    default:
      return scrub(rng.pick(ODD_STRINGS) + rng.chars(rng.pick(ALPHABETS), rng.int(1, 40)) + rng.pick(ODD_STRINGS));
  }
}

/** A JSON value of any type (mostly the wrong one), nested up to a few levels, sometimes very deep. */
export function hostileJson(rng: Rng, depth = 0): unknown {
  const kind = rng.weighted({ string: 4, number: 2, literal: 2, array: 1, object: 1, deep: depth === 0 ? 0.3 : 0 });
  switch (kind) {
    case "string":
      return hostileString(rng);
    case "number":
      return rng.pick([0, -1, 1, 1.5, -0, 201, 1e9, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324]);
    case "literal":
      return rng.pick([null, true, false]);
    case "array":
      return depth > 3 ? [] : Array.from({ length: rng.int(0, 4) }, () => hostileJson(rng, depth + 1));
    case "object": {
      if (depth > 3) return {};
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i--) o[hostileString(rng)] = hostileJson(rng, depth + 1);
      return o;
    }
    default: {
      let v: unknown = "x";
      for (let i = rng.int(50, 400); i > 0; i--) v = rng.chance(0.5) ? [v] : { a: v };
      return v;
    }
  }
}

/** A value meant for an integer field: edge numbers, or anything else. */
export function hostileInteger(rng: Rng): unknown {
  return rng.chance(0.7)
    ? rng.pick([0, 1, -1, 200, 201, 1e6, 2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1, 10, 1.5])
    : hostileJson(rng);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `encodeURIComponent` that also takes lone surrogates: they become their (invalid) 3-byte UTF-8 form, e.g.
 * `%ED%A0%80`, as a careless client would send them.
 */
export function encodeAny(text: string): string {
  const parts = text.split(LONE_SURROGATE);
  const lone = text.match(LONE_SURROGATE) ?? [];
  return parts.map((p, i) => {
    if (i === 0) return encodeURIComponent(p);
    const c = lone[i - 1].charCodeAt(0);
    const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
    return bytes.map((b) => "%" + b.toString(16).toUpperCase()).join("") + encodeURIComponent(p);
  }).join("");
}

/** A raw query/form value: properly encoded hostile text, or broken percent-encoding. */
export function rawValue(rng: Rng): string {
  if (rng.chance(0.15)) return rng.pick(["%ZZ", "%", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%00", "%FF%FE", "+%2B+"]);
  return encodeAny(hostileString(rng)).replace(/%20/g, rng.chance(0.5) ? "+" : "%20");
}

/** Encodes an object as `application/x-www-form-urlencoded` with raw values (already encoded). */
export function rawForm(fields: readonly (readonly [string, string])[]): string {
  return fields.map(([k, v]) => `${encodeAny(k)}=${v}`).join("&");
}

/** A hostile page path for a URL (already encoded, may be broken). */
export function rawPathTail(rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(["Home", "Notes/Sub", "Missing", "Home/a.txt", "mcp", "-"]);
  if (rng.chance(0.2)) return rng.pick(["%ZZ", "%FF%FE", "%00", "a%2F..%2F..%2Fb", "%E0%A4%A", "..", "a/../b"]);
  return hostileString(rng).split("/").map((s) => encodeAny(s)).join("/");
}
