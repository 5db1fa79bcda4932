/**
 * The remote embedder (issue 12 item 4) against a local server speaking the OpenAI `/v1/embeddings` API
 * (fake_embeddings_server.ts): batching by count and size, input caps, order by index, unit vectors, bounded
 * retries with backoff on 429/5xx/timeouts, no retry on a client error or a malformed, oversized or
 * wrong-dimension reply, and the circuit breaker that makes calls fail fast while the endpoint is down.
 */
import { assertEquals, assertOk, assertRejects, withHangGuard } from "../../assert.ts";
import { type EmbeddingsConfig, embeddingsEndpoint } from "../../../lib/config.ts";
import { EmbedderUnavailableError } from "../../../lib/wiki/meaning/embedder.ts";
import { RemoteEmbedder, type RemoteEmbedderOptions, unit } from "../../../lib/wiki/meaning/remote_embedder.ts";
import { type Behaviour, fakeVector, startFakeEmbeddings } from "./fake_embeddings_server.ts";

function cfg(url: string, over: Partial<EmbeddingsConfig> = {}): EmbeddingsConfig {
  return {
    endpoint: embeddingsEndpoint(url),
    model: "fake-embed",
    key: "sk-test",
    dimensions: null,
    batchSize: 4,
    timeoutMs: 5_000,
    ...over,
  };
}

/** An embedder with instant backoff that records its waits; failures are logged into `logs`. */
function embedderFor(c: EmbeddingsConfig, opts: RemoteEmbedderOptions = {}) {
  const waits: number[] = [];
  const logs: string[] = [];
  const e = new RemoteEmbedder(c, {
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    log: (m) => logs.push(m),
    ...opts,
  });
  return { e, waits, logs };
}

function close(a: Float32Array, b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-6);
}

Deno.test("remote embedder - batches by count, keeps input order, sends model and key, returns unit vectors", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url));
    assertEquals(e.model, "remote:fake-embed");
    assertEquals(e.dims, 0, "dimensions unknown until the first reply");
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
    const vs = await e.embed(texts);
    assertEquals(srv.requests.map((r) => r.inputs.length), [4, 4, 2]);
    assertEquals(srv.requests.flatMap((r) => r.inputs), texts);
    assertEquals(srv.requests[0].path, "/v1/embeddings");
    assertEquals(srv.requests[0].model, "fake-embed");
    assertEquals(srv.requests[0].authorization, "Bearer sk-test");
    assertEquals(srv.requests[0].dimensions, null);
    assertEquals(e.dims, 8);
    for (let i = 0; i < texts.length; i++) {
      assertOk(close(vs[i], [...unit(fakeVector(texts[i], 8))]), `vector ${i}`);
      const norm = Math.sqrt(vs[i].reduce((s, x) => s + x * x, 0));
      assertOk(Math.abs(norm - 1) < 1e-5, `unit length, got ${norm}`);
    }
    assertEquals(await e.embed([]), []);
    assertEquals(srv.requests.length, 3, "no request for no texts");
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - caps each input and the characters of a request; orders a shuffled reply by index", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url, { batchSize: 100 }), { maxInputChars: 50, maxRequestChars: 120 });
    const texts = ["a".repeat(500), "b".repeat(40), "c".repeat(40), "", "d".repeat(10)];
    srv.script = ["shuffled", "shuffled", "shuffled"];
    const vs = await e.embed(texts);
    const sent = srv.requests.flatMap((r) => r.inputs);
    assertEquals(sent, ["a".repeat(50), "b".repeat(40), "c".repeat(40), " ", "d".repeat(10)]);
    for (const r of srv.requests) assertOk(r.inputs.join("").length <= 120, `request of ${r.inputs.join("").length}`);
    assertEquals(srv.requests.length, 2);
    for (let i = 0; i < texts.length; i++) assertOk(close(vs[i], [...unit(fakeVector(sent[i], 8))]), `vector ${i}`);
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - EMBEDDINGS_DIMENSIONS is sent, named in the model id and enforced", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url, { dimensions: 16 }));
    assertEquals(e.model, "remote:fake-embed@16");
    assertEquals(e.dims, 16);
    const [v] = await e.embed(["hello"]);
    assertEquals(srv.requests[0].dimensions, 16);
    assertEquals(v.length, 16);
    srv.script = ["wrong-dims"];
    await assertRejects(() => e.embed(["x"]), EmbedderUnavailableError, "17 dimensions, expected 16");
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - dimensions learnt from the first reply must not change", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url));
    await e.embed(["first"]);
    srv.script = ["wrong-dims"];
    await assertRejects(() => e.embed(["second"]), EmbedderUnavailableError, "9 dimensions, expected 8");
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - 429 and 500 are retried with backoff, then the batch succeeds", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e, waits } = embedderFor(cfg(srv.url), { backoffMs: 100, maxBackoffMs: 1_000 });
    srv.script = ["429", "500"];
    const [v] = await e.embed(["retry me"]);
    assertOk(close(v, [...unit(fakeVector("retry me", 8))]));
    assertEquals(srv.requests.length, 3);
    assertEquals(waits.length, 2);
    assertOk(waits[0] >= 50 && waits[0] <= 100 && waits[1] >= 100 && waits[1] <= 200, `backoff ${waits}`);
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - retries are bounded: after maxAttempts the call is unavailable", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e, logs } = embedderFor(cfg(srv.url), { maxAttempts: 3 });
    srv.fallback = "500";
    await assertRejects(() => e.embed(["x"]), EmbedderUnavailableError, "HTTP 500");
    assertEquals(srv.requests.length, 3);
    assertOk(logs.some((l) => l.includes("HTTP 500")), "the failure is logged");
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - a client error (401) is not retried", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url));
    srv.script = ["401"];
    await assertRejects(() => e.embed(["x"]), EmbedderUnavailableError, "HTTP 401");
    assertEquals(srv.requests.length, 1);
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - a request that hangs times out, is retried, and the call fails in bounded time", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const { e } = embedderFor(cfg(srv.url, { timeoutMs: 150 }), { maxAttempts: 2 });
    srv.fallback = "hang";
    await withHangGuard(
      assertRejects(() => e.embed(["slow"]), EmbedderUnavailableError, "no answer within 150 ms"),
      "the timed-out call",
      5_000,
    );
    assertEquals(srv.requests.length, 2);
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - malformed, incomplete, oversized replies are refused without retry", async () => {
  const cases: [Behaviour, string][] = [
    ["not-json", "reply is not JSON"],
    ["no-data", "no data array"],
    ["strings", "not an array of numbers"],
    ["missing-one", "1 vectors for 2 inputs"],
    ["oversized", "reply larger than"],
  ];
  for (const [behaviour, message] of cases) {
    const srv = startFakeEmbeddings(8);
    try {
      const { e } = embedderFor(cfg(srv.url));
      srv.script = [behaviour];
      await assertRejects(() => e.embed(["one", "two"]), EmbedderUnavailableError, message);
      assertEquals(srv.requests.length, 1, behaviour);
    } finally {
      await srv.close();
    }
  }
});

Deno.test("remote embedder - the breaker opens after failures, fails fast, then lets one trial through", async () => {
  const srv = startFakeEmbeddings(8);
  let now = 1_000_000;
  try {
    const { e } = embedderFor(cfg(srv.url), {
      maxAttempts: 1,
      breaker: { failureThreshold: 2, cooldownMs: 10_000, now: () => now },
    });
    srv.script = ["500", "500", "500"];
    await assertRejects(() => e.embed(["a"]), EmbedderUnavailableError, "HTTP 500");
    assertEquals(e.breakerState, "closed");
    await assertRejects(() => e.embed(["a"]), EmbedderUnavailableError, "HTTP 500");
    assertEquals(e.breakerState, "open");
    assertEquals(e.available, false);
    await assertRejects(() => e.embed(["a"]), EmbedderUnavailableError, "circuit open");
    assertEquals(srv.requests.length, 2, "no request while open");
    now += 10_000;
    assertEquals(e.available, true);
    await assertRejects(() => e.embed(["a"]), EmbedderUnavailableError, "HTTP 500"); // the trial fails
    assertEquals(e.breakerState, "open");
    now += 10_000;
    await assertRejects(() => e.embed(["a"]), EmbedderUnavailableError, "circuit open"); // cool-down doubled
    now += 10_000;
    const [v] = await e.embed(["a"]);
    assertEquals(v.length, 8);
    assertEquals(e.breakerState, "closed");
    assertEquals(srv.requests.length, 4);
  } finally {
    await srv.close();
  }
});

Deno.test("remote embedder - a server that is not there is unavailable (network error), retried within bounds", async () => {
  const srv = startFakeEmbeddings(8);
  const url = srv.url;
  await srv.close();
  const { e } = embedderFor(cfg(url), { maxAttempts: 2 });
  await assertRejects(() => e.embed(["x"]), EmbedderUnavailableError, "network error");
});
