/**
 * The KV rate limiter (lib/kv/rate_limit.ts): a sliding window that allows at most `limit` of any burst wherever it
 * falls in the window, allows everything under the limit however concurrent, fails closed, shares its count through
 * KV (two "isolates" on one store), keeps refused attempts out of the count, and sweeps old counters.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { brokenKv } from "./broken_kv.ts";
import { RateKeys } from "../../lib/kv/rate_limit.ts";
import { type RateCheck, type RateDecision, type RateRule, takeRate } from "../../lib/kv/rate_limit.ts";

const PER_MINUTE: RateRule = { name: "test_minute", limit: 120, windowMs: 60_000 };
const MINUTE = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

/** Another handle on the same store: what a second isolate (or a second app on one KV) is to the limiter. */
function otherIsolate(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

async function burst(kv: Deno.Kv, check: RateCheck, start: number, n: number, stepMs = 1): Promise<RateDecision[]> {
  return await Promise.all(Array.from({ length: n }, (_, i) => takeRate(kv, check, { now: start + i * stepMs })));
}

const allowed = (ds: RateDecision[]) => ds.filter((d) => d.ok).length;

/** The sum of a subject's counters in KV (what every isolate sees). */
async function stored(kv: Deno.Kv, rule: string, subject: string): Promise<number> {
  let n = 0;
  for await (const e of kv.list<Deno.KvU64>({ prefix: RateKeys.rateRule(rule) })) {
    if (e.key.at(-1) === subject) n += Number(e.value.value);
  }
  return n;
}

Deno.test("rate limit: 300 concurrent takes allow at most 130 at any offset in the minute (incl. 59.9 s)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (const offset of [0, 10_000, 29_999, 59_900, 59_999]) {
      const check = { rule: PER_MINUTE, subject: `s${offset}` };
      const first = allowed(await burst(kv, check, MINUTE + offset, 300));
      assertOk(first <= 130 && first >= 110, `offset ${offset}: ${first}`);
      const second = allowed(await burst(kv, check, MINUTE + offset + 300, 300));
      assertOk(first + second <= 130, `offset ${offset}: ${first} + ${second}`);
      assertEquals(await stored(kv, PER_MINUTE.name, check.subject), first + second, "refused takes compensated");
    }
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: 100 concurrent takes under a limit of 120 all pass, in one isolate or spread over two", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    assertEquals(allowed(await burst(kv, { rule: PER_MINUTE, subject: "one" }, MINUTE + 59_990, 100)), 100);
    const b = otherIsolate(kv);
    const check = { rule: PER_MINUTE, subject: "two" };
    const [x, y] = await Promise.all([burst(kv, check, MINUTE, 50), burst(b, check, MINUTE, 50)]);
    assertEquals(allowed(x) + allowed(y), 100);
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: two isolates on one KV share the count, concurrently and one after the other", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const b = otherIsolate(kv);
    const check = { rule: PER_MINUTE, subject: "shared" };
    const [x, y] = await Promise.all([burst(kv, check, MINUTE, 200), burst(b, check, MINUTE, 200)]);
    assertOk(allowed(x) + allowed(y) <= 120, `${allowed(x)} + ${allowed(y)}`);
    const seq = { rule: { ...PER_MINUTE, limit: 5 }, subject: "seq" };
    for (let i = 0; i < 3; i++) assertEquals((await takeRate(kv, seq, { now: MINUTE })).ok, true);
    for (let i = 0; i < 2; i++) assertEquals((await takeRate(b, seq, { now: MINUTE })).ok, true);
    assertEquals((await takeRate(kv, seq, { now: MINUTE })).ok, false);
    assertEquals((await takeRate(b, seq, { now: MINUTE })).ok, false);
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: the retry time is exact; the window slides (the old bucket fades out)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const check = { rule: { name: "test_slide", limit: 10, windowMs: 60_000 }, subject: "x" };
    assertEquals(allowed(await burst(kv, check, MINUTE + 5_000, 10, 0)), 10);
    const refused = await takeRate(kv, check, { now: MINUTE + 30_000 });
    assertOk(!refused.ok && refused.reason === "limit", JSON.stringify(refused));
    // The 10 takes at 5 s weigh fully until 60 s, then fade over the 60-70 s bucket: one more fits at 61 s.
    assertEquals(refused.retryAfterSeconds, 31);
    assertEquals((await takeRate(kv, check, { now: MINUTE + 60_500 })).ok, false);
    assertEquals((await takeRate(kv, check, { now: MINUTE + 61_000 })).ok, true);
    const later = await burst(kv, check, MINUTE + 75_000, 20, 0); // the 5 s takes are out; the 61 s one is in
    assertEquals(allowed(later), 9);
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: all checks must allow; a refusal by one leaves no count in the other", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const narrow = { rule: { name: "test_narrow", limit: 2, windowMs: 3_600_000 }, subject: ["1.2.3.4", "w_1"] };
    const wide = { rule: { name: "test_wide", limit: 100, windowMs: 3_600_000 }, subject: "1.2.3.4" };
    const d = await Promise.all([0, 1, 2, 3].map(() => takeRate(kv, [narrow, wide], { now: MINUTE })));
    assertEquals(d.map((x) => x.ok), [true, true, false, false]);
    assertEquals(await stored(kv, "test_wide", "1.2.3.4"), 2);
    assertEquals(d[0], { ok: true, remaining: 1 });
  } finally {
    kv.close();
  }
});

Deno.test("rate limit fails closed: lost or failed commits and failed reads refuse, with a retry time", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const check = { rule: PER_MINUTE, subject: "f" };
    for (const mode of ["lose", "throw", "read"] as const) {
      const d = await burst(brokenKv(kv, mode), check, MINUTE, 5);
      assertEquals(d.every((x) => !x.ok && x.reason === "unavailable" && x.retryAfterSeconds >= 1), true, mode);
    }
    assertEquals(await stored(kv, PER_MINUTE.name, "f"), 0, "a failed read gave its increment back");
    assertEquals((await takeRate(kv, check, { now: MINUTE })).ok, true);
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: counters older than the window are swept", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const rule: RateRule = { name: "test_sweep", limit: 5, windowMs: 60_000 };
    for (let i = 0; i < 20; i++) await takeRate(kv, { rule, subject: `ip${i}` }, { now: MINUTE });
    assertEquals((await Array.fromAsync(kv.list({ prefix: RateKeys.rateRule(rule.name) }))).length, 20);
    await takeRate(kv, { rule, subject: "late" }, { now: MINUTE + 3 * 60_000 });
    assertEquals((await Array.fromAsync(kv.list({ prefix: RateKeys.rateRule(rule.name) }))).map((e) => e.key.at(-1)), [
      "late",
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("rate limit: an invalid rule is a programming error", () => {
  let threw = 0;
  for (const rule of [{ name: "r", limit: 0, windowMs: 1000 }, { name: "r", limit: 1, windowMs: 1000, buckets: 9 }]) {
    try {
      void takeRate({} as Deno.Kv, { rule, subject: "x" });
    } catch {
      threw++;
    }
  }
  assertEquals(threw, 2);
});
