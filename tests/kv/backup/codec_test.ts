/**
 * The backup file's value and key encoding (lib/kv/backup/codec.ts): every type a KV value or key may hold comes
 * back identical through JSON text, and a type it cannot encode is refused with where it is.
 */
import { assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { writeBackup } from "../../../lib/kv/backup/backup.ts";
import { backupRuleOf } from "../../../lib/platform/key_registry.ts";
import { BackupCodecError, decodeKey, decodeValue, encodeKey, encodeValue } from "../../../lib/kv/backup/codec.ts";

/** Encodes, goes through JSON text, decodes. */
function roundTrip(value: unknown): unknown {
  return decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));
}

Deno.test("backup codec - every structured-clone type this app can store round-trips through JSON", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
  const value = {
    text: "héllo wörld ✓ 𝄞",
    n: 1.5,
    big: 2n ** 70n,
    negZero: -0,
    nan: NaN,
    inf: [Infinity, -Infinity],
    nothing: null,
    missing: undefined,
    flag: false,
    bytes,
    empty: new Uint8Array(0),
    when: new Date(1_800_000_000_123),
    invalidDate: new Date(NaN),
    map: new Map<unknown, unknown>([["a", 1], [2, new Uint8Array([1, 2])]]),
    set: new Set(["x", 3]),
    counter: new Deno.KvU64(18446744073709551615n),
    nested: { deep: [{ $t: "bytes", v: "not a tag: a plain object that has a $t member" }] },
  };
  const back = roundTrip(value) as typeof value;
  assertEquals(back, value);
  assertEquals(Object.is(back.negZero, -0), true);
  assertEquals(back.bytes instanceof Uint8Array && back.bytes.length, 70_000);
  assertEquals(back.counter instanceof Deno.KvU64 && back.counter.value, 18446744073709551615n);
  assertEquals("missing" in back, true);
  assertEquals(back.nested.deep[0], { $t: "bytes", v: "not a tag: a plain object that has a $t member" });
  // Plain data stays readable JSON.
  assertEquals(JSON.stringify(encodeValue({ a: [1, "b", true, null] })), '{"a":[1,"b",true,null]}');
});

Deno.test("backup codec - keys of every KV key part type round-trip", () => {
  const key: Deno.KvKey = ["page", "w_x", 42, -1.5, 7n, true, new Uint8Array([0, 255])];
  assertEquals(decodeKey(JSON.parse(JSON.stringify(encodeKey(key)))), key);
});

Deno.test("backup codec - a type it cannot encode is refused, naming where it is", () => {
  class Point {
    x = 1;
  }
  const cases: [unknown, string][] = [
    [{ a: { b: new Int16Array(2) } }, "value.a.b"],
    [{ p: new Point() }, "value.p: cannot encode a Point"],
    [{ f: () => 1 }, "value.f: cannot encode a function"],
    [{ s: Symbol("x") }, "value.s"],
    [[1, , 3], "sparse array"],
    [{ r: /x/ }, "RegExp"],
    [{ e: new Error("x") }, "Error"],
  ];
  for (const [value, message] of cases) assertThrows(() => encodeValue(value), BackupCodecError, message);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assertThrows(() => encodeValue(cyclic), BackupCodecError, "cycle");
});

Deno.test("backup codec - a malformed or unknown tag is refused on decode", () => {
  assertThrows(() => decodeValue({ $t: "float128", v: "1" }), BackupCodecError, "unknown tag");
  assertThrows(() => decodeValue({ a: { $t: "big", v: "12x" } }), BackupCodecError, "value.a");
  assertThrows(() => decodeValue({ $t: "u64", v: "18446744073709551616" }), BackupCodecError, "64-bit");
  assertThrows(() => decodeValue({ $t: "bytes", v: "@@@" }), BackupCodecError, "base64");
  assertThrows(() => decodeKey([{ $t: "undef" }]), BackupCodecError, "not a KV key part");
  assertThrows(() => decodeKey("page"), BackupCodecError, "array");
});

Deno.test("backup codec - a stored value of a type it cannot encode stops the backup, naming the record", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["page", "w_a", "Fine"], { text: "ok" });
    await kv.set(["page", "w_a", "Odd"], { samples: new Int16Array([1, 2]) });
    const err = await assertRejects(
      () => writeBackup(kv, new WritableStream(), backupRuleOf),
      Error,
      'cannot back up the record ["page","w_a","Odd"]: value.samples: cannot encode a Int16Array',
    );
    assertEquals(err.cause instanceof BackupCodecError, true);
  } finally {
    kv.close();
  }
});
