/**
 * A local HTTP server speaking the OpenAI `/v1/embeddings` API for the remote embedder's tests (Deno.serve on
 * 127.0.0.1, port 0). Vectors are deterministic (derived from each input's text), and a script of behaviours per
 * request simulates what real endpoints do wrong: 429 and 500 (with `Retry-After`), hanging until the client gives
 * up, malformed JSON or shapes, oversized replies, wrong dimensions, shuffled or missing indexes.
 */

/** What the server does with one request. */
export type Behaviour =
  | "ok"
  | "shuffled"
  | "429"
  | "500"
  | "401"
  | "hang"
  | "not-json"
  | "no-data"
  | "strings"
  | "missing-one"
  | "oversized"
  | "wrong-dims";

/** One request as received. */
export interface SeenRequest {
  model: string;
  inputs: string[];
  dimensions: number | null;
  authorization: string | null;
  path: string;
}

/** A running fake server. */
export interface FakeEmbeddings {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the embedder appends `/v1/embeddings`). */
  url: string;
  /** Requests received, in order. */
  requests: SeenRequest[];
  /** Behaviours for the next requests, consumed in order; `"ok"` once it is empty (or `fallback`). */
  script: Behaviour[];
  /** Behaviour once the script is used up (default "ok"). */
  fallback: Behaviour;
  /** Texts embedded so far (every input of every request answered "ok"). */
  inputs(): string[];
  close(): Promise<void>;
}

/** The deterministic vector of `text` (not normalised): a hash of the text spread over `dims` components. */
export function fakeVector(text: string, dims: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    out.push((h % 2000) / 1000 - 1 + (i === 0 ? 3 : 0)); // component 0 dominates: never a zero vector
  }
  return out;
}

/**
 * Starts the server with vectors of `dims` dimensions (or the request's `dimensions`), each {@link fakeVector} of its
 * text unless `vectorOf` gives it (tests that need vectors with a meaning of their own).
 */
export function startFakeEmbeddings(
  dims = 8,
  vectorOf: (text: string, dims: number) => number[] = fakeVector,
): FakeEmbeddings {
  const requests: SeenRequest[] = [];
  const hanging = new Set<() => void>();
  const fake: FakeEmbeddings = {
    url: "",
    requests,
    script: [],
    fallback: "ok",
    inputs: () => requests.filter((r) => (r as { answered?: boolean }).answered).flatMap((r) => r.inputs),
    close: async () => {
      for (const release of hanging) release();
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const seen: SeenRequest & { answered?: boolean } = {
      model: body.model,
      inputs: body.input,
      dimensions: body.dimensions ?? null,
      authorization: req.headers.get("authorization"),
      path: new URL(req.url).pathname,
    };
    requests.push(seen);
    const behaviour = fake.script.shift() ?? fake.fallback;
    const n = seen.dimensions ?? dims;
    const data = seen.inputs.map((t, index) => ({ object: "embedding", index, embedding: vectorOf(t, n) }));
    const json = (v: unknown) => Response.json(v);
    switch (behaviour) {
      case "ok":
        seen.answered = true;
        return json({ object: "list", model: seen.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } });
      case "shuffled":
        seen.answered = true;
        return json({ object: "list", data: [...data].reverse() });
      case "429":
        return new Response("slow down", { status: 429, headers: { "retry-after": "0" } });
      case "500":
        return new Response("boom", { status: 500 });
      case "401":
        return new Response("bad key", { status: 401 });
      case "hang":
        await new Promise<void>((resolve) => {
          hanging.add(resolve);
          req.signal.addEventListener("abort", () => resolve());
        });
        return json({ data });
      case "not-json":
        return new Response("<html>gateway</html>", { headers: { "content-type": "text/html" } });
      case "no-data":
        return json({ object: "list" });
      case "strings":
        return json({ data: data.map((d) => ({ ...d, embedding: d.embedding.map(String) })) });
      case "missing-one":
        return json({ data: data.slice(1) });
      case "oversized":
        return json({ data, padding: "x".repeat(4_000_000) });
      case "wrong-dims":
        return json({ data: data.map((d) => ({ ...d, embedding: [...d.embedding, 0.5] })) });
    }
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
