/**
 * The KV guard (lib/kv/unavailable.ts): every call of a guarded store works as on the store itself; when the store
 * is unavailable each kind of call rejects with KvUnavailableError (the original error kept as its cause), while
 * the TypeError of an invalid call (a value too large) keeps its type.
 */
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { guardKv, isKvFailure, isUnavailability, KvUnavailableError } from "../../lib/kv/unavailable.ts";
import { faultError, type FaultKind, faultyKv } from "./faulty_kv.ts";

Deno.test("guardKv - a healthy store works through the guard, chains included; guarding twice is a no-op", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  assertOk(guardKv(kv) === kv);
  assertOk((await kv.set(["a"], 1)).ok);
  const a = await kv.get<number>(["a"]);
  assertEquals(a.value, 1);
  const res = await kv.atomic().check(a).set(["b"], 2).delete(["a"]).sum(["n"], 3n).commit();
  assertOk(res.ok);
  assertEquals((await kv.getMany<[number, number]>([["a"], ["b"]])).map((e) => e.value), [null, 2]);
  const it = kv.list({ prefix: [] }, { limit: 1 });
  const first = await it.next();
  assertEquals(first.value?.key, ["b"]);
  assertOk(it.cursor.length > 0);
  const all = [];
  for await (const e of kv.list({ prefix: [] })) all.push(e.key[0]);
  assertEquals(all, ["b", "n"]);
  assertEquals((await kv.atomic().check({ key: ["b"], versionstamp: null }).set(["b"], 3).commit()).ok, false);
  await kv.delete(["b"]);
  assertEquals((await raw.get(["b"])).value, null);
  raw.close();
});

Deno.test("guardKv - every kind of call rejects with KvUnavailableError when the store is down", async () => {
  const raw = await Deno.openKv(":memory:");
  const { kv: faulty, faults } = faultyKv(raw);
  const kv = guardKv(faulty);
  const calls: [string, () => Promise<unknown>][] = [
    ["get", () => kv.get(["a"])],
    ["getMany", () => kv.getMany([["a"], ["b"]])],
    ["list", () => Array.fromAsync(kv.list({ prefix: ["a"] }))],
    ["set", () => kv.set(["a"], 1)],
    ["delete", () => kv.delete(["a"])],
    ["enqueue", () => kv.enqueue("x")],
    ["commit", () => kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit()],
  ];
  for (const kind of ["locked", "closed", "network"] as FaultKind[]) {
    faults.failAll({ kind });
    for (const [name, call] of calls) {
      const err = await assertRejects(call, KvUnavailableError);
      assertOk(isKvFailure(err), `${kind} ${name}`);
      assertEquals((err.cause as Error).message, faultError(kind).message, `${kind} ${name}: the cause is kept`);
      assertOk(!err.message.includes("FAULT"), "the message says nothing of the cause");
    }
    faults.recover();
  }
  assertEquals((await raw.get(["a"])).value, null, "nothing was written");
  raw.close();
});

Deno.test("guardKv - an invalid call keeps its TypeError; the classifier reads causes", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  const tooBig = await assertRejects(() => kv.set(["big"], "x".repeat(70_000)), TypeError, "Value too large");
  assertOk(!isKvFailure(tooBig));
  await assertRejects(() => kv.getMany(Array.from({ length: 11 }, (_, i) => [i])), TypeError, "Too many ranges");
  assertOk(isUnavailability(new Error("database is locked")));
  assertOk(isUnavailability(new TypeError("error sending request: connection closed")));
  assertOk(!isUnavailability(new TypeError("Key too large for write (max 2048 bytes)")));
  assertOk(isKvFailure(new Error("wrapped", { cause: new KvUnavailableError(new Error("x")) })));
  assertOk(!isKvFailure(new Error("plain")));
  assertOk(!isKvFailure("a string"));
  raw.close();
});
