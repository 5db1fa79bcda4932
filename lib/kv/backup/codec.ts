/**
 * @module
 * Lossless JSON encoding of Deno KV keys and values, for the service backup file (lib/kv/backup/format.ts).
 *
 * Plain JSON stands for itself: strings, booleans, finite numbers (but -0), null, dense arrays and plain objects.
 * Everything else a KV value may hold and this app stores is a tagged object `{ "$t": tag, "v": ... }`:
 *
 * | tag     | type                          | `v`                                     |
 * | ------- | ----------------------------- | --------------------------------------- |
 * | `bytes` | `Uint8Array`                  | base64 (standard, padded)               |
 * | `big`   | `bigint`                      | decimal string                          |
 * | `num`   | `NaN`, `±Infinity`, `-0`      | `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` |
 * | `undef` | `undefined`                   | (none)                                  |
 * | `date`  | `Date`                        | epoch milliseconds (or `null`: invalid) |
 * | `map`   | `Map`                         | array of `[key, value]` pairs           |
 * | `set`   | `Set`                         | array of members                        |
 * | `u64`   | `Deno.KvU64`                  | decimal string                          |
 * | `obj`   | plain object with a `$t` key  | the object, its members encoded         |
 *
 * Anything else (other typed arrays, class instances, RegExp, Error, sparse arrays, cycles...) is refused with a
 * {@link BackupCodecError} naming where it is, rather than written in a form that would not restore.
 */

/** A value or key part this codec cannot encode or decode; `where` is a path such as `value.content.text`. */
export class BackupCodecError extends Error {
  constructor(message: string, readonly where: string) {
    super(`${where}: ${message}`);
    this.name = "BackupCodecError";
  }
}

/** Encoded form: JSON-serializable. */
export type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded };

const TAG = "$t";
const MAX_DEPTH = 64;

/** Encodes a structured-clone value as JSON-serializable data (see the module doc); throws BackupCodecError. */
export function encodeValue(value: unknown, where = "value"): Encoded {
  return enc(value, where, 0, new Set());
}

/** Decodes what {@link encodeValue} produced; throws BackupCodecError on a malformed or unknown tag. */
export function decodeValue(data: unknown, where = "value"): unknown {
  return dec(data, where, 0);
}

/** Encodes a KV key (parts: string, number, bigint, boolean, Uint8Array). */
export function encodeKey(key: Deno.KvKey): Encoded[] {
  return key.map((part, i) => {
    const t = typeof part;
    if (t !== "string" && t !== "number" && t !== "bigint" && t !== "boolean" && !(part instanceof Uint8Array)) {
      throw new BackupCodecError(`unsupported key part type ${describe(part)}`, `key[${i}]`);
    }
    return enc(part, `key[${i}]`, 0, new Set());
  });
}

/** Decodes a key written by {@link encodeKey}; throws BackupCodecError when a part is not a valid KV key part. */
export function decodeKey(data: unknown): Deno.KvKey {
  if (!Array.isArray(data)) throw new BackupCodecError("a key must be an array", "key");
  return data.map((part, i) => {
    const v = dec(part, `key[${i}]`, 0);
    const t = typeof v;
    if (t !== "string" && t !== "number" && t !== "bigint" && t !== "boolean" && !(v instanceof Uint8Array)) {
      throw new BackupCodecError(`not a KV key part: ${describe(v)}`, `key[${i}]`);
    }
    return v as Deno.KvKeyPart;
  });
}

/**
 * True when `v` is already its own encoding: strings, booleans, finite numbers but -0, null, dense arrays and plain
 * objects without a `$t` member, nested at most {@link MAX_DEPTH} deep. The common case, checked without copying
 * (most records are plain JSON); anything else goes through {@link enc}, which also names what it refuses.
 */
function isPlain(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "object": {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlain(v[i], depth + 1)) return false;
        return Object.keys(v).length === v.length;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype || TAG in v) return false;
      for (const k in v) if (!isPlain((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

function enc(v: unknown, where: string, depth: number, seen: Set<object>): Encoded {
  if (depth > MAX_DEPTH) throw new BackupCodecError(`nested deeper than ${MAX_DEPTH}`, where);
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array) && isPlain(v, depth)) return v as Encoded;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (Number.isNaN(v)) return tagged("num", "NaN");
      if (v === Infinity) return tagged("num", "Infinity");
      if (v === -Infinity) return tagged("num", "-Infinity");
      if (Object.is(v, -0)) return tagged("num", "-0");
      return v;
    case "bigint":
      return tagged("big", v.toString());
    case "undefined":
      return { [TAG]: "undef" };
    case "object":
      break;
    default:
      throw new BackupCodecError(`cannot encode a ${typeof v}`, where);
  }
  if (v === null) return null;
  if (seen.has(v)) throw new BackupCodecError("cannot encode a cycle or shared reference", where);
  if (v instanceof Uint8Array) {
    if (v.constructor !== Uint8Array) throw new BackupCodecError(`cannot encode a ${describe(v)}`, where);
    return tagged("bytes", toBase64(v));
  }
  if (v instanceof Deno.KvU64) return tagged("u64", v.value.toString());
  if (v instanceof Date) return tagged("date", Number.isNaN(v.getTime()) ? null : v.getTime());
  seen.add(v);
  try {
    if (v instanceof Map) {
      let i = 0;
      return tagged(
        "map",
        [...v].map((
          [k, x],
        ) => [enc(k, `${where}<key ${i}>`, depth + 1, seen), enc(x, `${where}<${i++}>`, depth + 1, seen)]),
      );
    }
    if (v instanceof Set) {
      let i = 0;
      return tagged("set", [...v].map((x) => enc(x, `${where}<${i++}>`, depth + 1, seen)));
    }
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) {
        throw new BackupCodecError(`cannot encode a ${describe(v)}`, where);
      }
      const out: Encoded[] = [];
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) throw new BackupCodecError(`cannot encode a sparse array (hole at ${i})`, where);
        out.push(enc(v[i], `${where}[${i}]`, depth + 1, seen));
      }
      if (Object.keys(v).length !== v.length) {
        throw new BackupCodecError("cannot encode an array with extra properties", where);
      }
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new BackupCodecError(`cannot encode a ${describe(v)}`, where);
    }
    const out: { [k: string]: Encoded } = {};
    for (const [k, x] of Object.entries(v)) out[k] = enc(x, `${where}.${k}`, depth + 1, seen);
    return TAG in out ? tagged("obj", out) : out;
  } finally {
    seen.delete(v);
  }
}

function dec(d: unknown, where: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new BackupCodecError(`nested deeper than ${MAX_DEPTH}`, where);
  if (d === null || typeof d === "string" || typeof d === "boolean") return d;
  if (typeof d === "number") return d;
  if (Array.isArray(d)) return d.map((x, i) => dec(x, `${where}[${i}]`, depth + 1));
  if (typeof d !== "object") throw new BackupCodecError(`unexpected ${typeof d}`, where);
  const o = d as Record<string, unknown>;
  if (!(TAG in o)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = dec(x, `${where}.${k}`, depth + 1);
    return out;
  }
  const v = o.v;
  const bad = (what: string) => new BackupCodecError(`malformed "${String(o[TAG])}" tag: ${what}`, where);
  switch (o[TAG]) {
    case "bytes":
      if (typeof v !== "string") throw bad("base64 text expected");
      return fromBase64(v, where);
    case "big":
      if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw bad("decimal text expected");
      return BigInt(v);
    case "num":
      if (v === "NaN") return NaN;
      if (v === "Infinity") return Infinity;
      if (v === "-Infinity") return -Infinity;
      if (v === "-0") return -0;
      throw bad("NaN, Infinity, -Infinity or -0 expected");
    case "undef":
      return undefined;
    case "date":
      if (v !== null && typeof v !== "number") throw bad("epoch milliseconds expected");
      return new Date(v === null ? NaN : v);
    case "map":
      if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.length === 2)) throw bad("pairs expected");
      return new Map(
        v.map(([k, x], i) => [dec(k, `${where}<key ${i}>`, depth + 1), dec(x, `${where}<${i}>`, depth + 1)]),
      );
    case "set":
      if (!Array.isArray(v)) throw bad("array expected");
      return new Set(v.map((x, i) => dec(x, `${where}<${i}>`, depth + 1)));
    case "u64":
      if (typeof v !== "string" || !/^\d+$/.test(v) || BigInt(v) >= 1n << 64n) {
        throw bad("64-bit unsigned decimal expected");
      }
      return new Deno.KvU64(BigInt(v));
    case "obj": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad("object expected");
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = dec(x, `${where}.${k}`, depth + 1);
      return out;
    }
    default:
      throw new BackupCodecError(`unknown tag ${JSON.stringify(o[TAG])} (written by a newer version?)`, where);
  }
}

function tagged(tag: string, v: Encoded): Encoded {
  return { [TAG]: tag, v };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return (v as object).constructor?.name ?? "object without prototype";
}

function toBase64(bytes: Uint8Array): string {
  return bytes.toBase64(); // native (V8): 50x faster than btoa over String.fromCharCode chunks
}

function fromBase64(text: string, where: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(text); // strict: refuses characters outside the alphabet
  } catch {
    throw new BackupCodecError("invalid base64", where);
  }
}
