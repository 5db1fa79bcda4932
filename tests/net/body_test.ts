/**
 * The one bounded body reader (lib/net/body.ts): exactly `max` bytes pass and `max + 1` are refused with a
 * BodyError, whether the length is declared or the body streams in chunks; a refused stream is cancelled, never read
 * to its end; text decodes as UTF-8 with U+FFFD for invalid bytes; the JSON and form variants refuse what they cannot
 * parse with their own reason.
 */
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import {
  BodyError,
  readBytes,
  readFormData,
  readJson,
  readMultipartText,
  readText,
  readUrlEncoded,
  requestForm,
} from "../../lib/net/body.ts";

const MAX = 64;

/** A stream of `bytes` in chunks of `chunk` bytes; `pulled()` counts the chunks handed out, `cancelled` is set. */
function chunked(bytes: Uint8Array, chunk: number) {
  let off = 0;
  let pulls = 0;
  const state = { cancelled: false, pulled: () => pulls };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.length) return c.close();
      pulls++;
      c.enqueue(bytes.slice(off, off + chunk));
      off += chunk;
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

/** An endless stream of `chunk`-byte chunks (a body that would never end if read whole). */
function endless(chunk: number) {
  const state = { cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      state.pulls++;
      c.enqueue(new Uint8Array(chunk).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

function bytesOf(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(n).fill(0x61);
}

function post(body: BodyInit | null, headers: HeadersInit = {}): Request {
  return new Request("http://127.0.0.1/x", { method: "POST", body, headers });
}

Deno.test("body: exactly max bytes pass, max + 1 are refused (declared length)", async () => {
  const ok = await readBytes(post(bytesOf(MAX), { "content-length": String(MAX) }), MAX);
  assertEquals(ok.byteLength, MAX);
  const err = await assertRejects(
    () => readBytes(post(bytesOf(MAX + 1), { "content-length": String(MAX + 1) }), MAX),
    BodyError,
    `larger than ${MAX} bytes`,
  );
  assertEquals(err.reason, "too-large");
  assertEquals(err.limit, MAX);
});

Deno.test("body: exactly max bytes pass, max + 1 are refused (chunked stream, no length)", async () => {
  for (const chunk of [1, 7, MAX, MAX + 1]) {
    const fits = chunked(bytesOf(MAX), chunk);
    assertEquals((await readBytes(post(fits.stream), MAX)).byteLength, MAX, `chunk ${chunk}`);
    const over = chunked(bytesOf(MAX + 1), chunk);
    const err = await assertRejects(() => readBytes(post(over.stream), MAX), BodyError);
    assertEquals(err.reason, "too-large", `chunk ${chunk}`);
  }
});

Deno.test("body: a stream over the limit is cancelled as soon as it passes it (never read whole)", async () => {
  const { stream, state } = endless(16);
  await assertRejects(() => readBytes(post(stream), 100), BodyError, "larger than 100 bytes");
  assertOk(state.cancelled, "the stream was cancelled");
  assertOk(state.pulls <= 8, `pulled ${state.pulls} chunks for a 100-byte limit`);
});

Deno.test("body: a declared length over the limit is refused before reading, and the body is cancelled", async () => {
  const { stream, state } = chunked(bytesOf(MAX + 1), 8);
  const req = post(stream, { "content-length": String(MAX + 1) });
  await assertRejects(() => readBytes(req, MAX), BodyError, "larger than");
  assertEquals(state.pulled(), 0);
  assertOk(state.cancelled);
});

Deno.test("body: a request whose declared length understates its body is still refused over the limit", async () => {
  const { stream } = chunked(bytesOf(MAX * 4), 16);
  await assertRejects(() => readBytes(post(stream, { "content-length": "10" }), MAX), BodyError, "larger than");
});

Deno.test("body: responses are read the same way (streamed, bounded)", async () => {
  const fits = new Response(chunked(bytesOf(MAX), 5).stream);
  assertEquals((await readBytes(fits, MAX)).byteLength, MAX);
  const over = new Response(chunked(bytesOf(MAX + 1), 5).stream);
  await assertRejects(() => readBytes(over, MAX), BodyError, "larger than");
  const declared = new Response(bytesOf(MAX + 1), { headers: { "content-length": String(MAX + 1) } });
  await assertRejects(() => readBytes(declared, MAX), BodyError, "larger than");
});

Deno.test("body: no body reads as empty", async () => {
  assertEquals((await readBytes(new Request("http://127.0.0.1/"), MAX)).byteLength, 0);
  assertEquals(await readText(new Response(null), MAX), "");
});

Deno.test("body: text is UTF-8; invalid bytes become U+FFFD; a character split across chunks stays whole", async () => {
  // "é" is C3 A9; FF and a lone C3 are invalid.
  const bytes = new Uint8Array([0x61, 0xc3, 0xa9, 0xff, 0x62, 0xc3]);
  assertEquals(await readText(post(bytes), MAX), "a\u00e9\ufffdb\ufffd");
  assertEquals(await readText(post(chunked(bytes, 2).stream), MAX), "a\u00e9\ufffdb\ufffd");
  const split = chunked(new TextEncoder().encode("\u00e9\u00e9"), 1);
  assertEquals(await readText(post(split.stream), MAX), "\u00e9\u00e9");
  // The limit counts bytes, not characters: 32 two-byte characters fit 64 bytes, 33 do not.
  assertEquals(await readText(post("\u00e9".repeat(32)), MAX), "\u00e9".repeat(32));
  await assertRejects(() => readText(post("\u00e9".repeat(33)), MAX), BodyError, "larger than");
});

Deno.test("body: JSON variant parses, or refuses with reason not-json; too large is refused first", async () => {
  assertEquals(await readJson(post('{"a":[1,2]}'), MAX), { a: [1, 2] });
  const bad = await assertRejects(() => readJson(post("{nope"), MAX), BodyError);
  assertEquals(bad.reason, "not-json");
  const big = await assertRejects(() => readJson(post(`"${"x".repeat(MAX)}"`), MAX), BodyError);
  assertEquals(big.reason, "too-large");
  // Invalid UTF-8 inside a JSON string decodes to U+FFFD (the replacement the JSON then carries).
  assertEquals(await readJson(post(new Uint8Array([0x22, 0xff, 0x22])), MAX), "\ufffd");
});

Deno.test("body: urlencoded form variant (bounded, repeated fields kept)", async () => {
  const form = await readUrlEncoded(post("a=1&b=x+y&a=2"), MAX);
  assertEquals(form.getAll("a"), ["1", "2"]);
  assertEquals(form.get("b"), "x y");
  await assertRejects(() => readUrlEncoded(post(`a=${"x".repeat(MAX)}`), MAX), BodyError, "larger than");
});

Deno.test("body: multipart form variant keeps text fields (last repeat wins), bounded, not-form when broken", async () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("a", "2");
  fd.append("f", new File(["data"], "f.txt"));
  fd.append("b", "\u00e9");
  const req = new Request("http://127.0.0.1/x", { method: "POST", body: fd });
  const form = await readMultipartText(req, 4096);
  assertEquals([...form], [["a", "2"], ["b", "\u00e9"]]);
  const big = new Request("http://127.0.0.1/x", { method: "POST", body: fd });
  await assertRejects(() => readMultipartText(big, 100), BodyError, "larger than 100 bytes");
  const broken = post("not multipart", { "content-type": "multipart/form-data" });
  const err = await assertRejects(() => readMultipartText(broken, 4096), BodyError);
  assertEquals(err.reason, "not-form");
});

Deno.test("body - readFormData keeps files of a multipart form; requestForm reads a request once", async () => {
  const form = new FormData();
  form.set("title", "Hello");
  form.set("file", new File([new Uint8Array([1, 2, 3])], "a.bin"));
  const req = new Request("http://x/", { method: "POST", body: form });
  const first = await requestForm(req, 10_000);
  const again = await requestForm(req, 10_000); // the body is consumed; the same form comes back
  assertEquals(again, first);
  assertEquals(first.get("title"), "Hello");
  const file = first.get("file") as File;
  assertEquals([file.name, [...new Uint8Array(await file.arrayBuffer())]], ["a.bin", [1, 2, 3]]);
  const urlencoded = new Request("http://x/", {
    method: "POST",
    body: "a=1&b=2",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assertEquals(Object.fromEntries(await readFormData(urlencoded, 100)), { a: "1", b: "2" });
  const notForm = new Request("http://x/", { method: "POST", body: "{}", headers: { "content-type": "text/plain" } });
  const err = await readFormData(notForm, 100).catch((e) => e);
  assertEquals(err instanceof BodyError && err.reason, "not-form");
  const big = new Request("http://x/", { method: "POST", body: form });
  const tooBig = await readFormData(big, 10).catch((e) => e);
  assertEquals(tooBig instanceof BodyError && tooBig.reason, "too-large");
});
