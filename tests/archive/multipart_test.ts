/**
 * The import upload's streaming multipart reader (lib/archive/multipart.ts): fields before the file are kept, the
 * file's bytes come out whole however the body is cut (one byte at a time, a delimiter split across reads, bytes
 * that look like the boundary's start), and malformed bodies are a readable InvalidInputError.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import { multipartBoundary, readMultipartUpload } from "../../lib/archive/multipart.ts";
import { InvalidInputError } from "../../lib/errors.ts";

/** A stream of `bytes` in pieces of `size`. */
function pieces(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at += size));
    },
  });
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

Deno.test("multipart: a file part comes out whole in any cut of the body", async () => {
  const file = new Uint8Array(5000).map((_, i) => (i % 7 === 0 ? 13 : i % 7 === 1 ? 10 : i % 7 === 2 ? 45 : i & 0xff));
  const form = new FormData();
  form.set("note", "hello");
  form.set("archive", new File([file], "vault.zip"));
  const req = new Request("http://x/", { method: "POST", body: form });
  const boundary = multipartBoundary(req.headers.get("content-type"))!;
  const body = new Uint8Array(await req.arrayBuffer());
  for (const size of [1, 3, 64, 4096, body.length]) {
    const { fields, file: got } = await readMultipartUpload(pieces(body, size), boundary);
    assertEquals(fields.note, "hello", `cut ${size}`);
    assertEquals(got?.filename, "vault.zip");
    assertEquals(await collect(got!.bytes), file, `cut ${size}`);
  }
});

Deno.test("multipart: a body without parts, or a file without its closing boundary, is refused readably", async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  await assertRejects(() => readMultipartUpload(pieces(enc("no parts here"), 4), "b0undary"), InvalidInputError);
  const cut = enc('--b0undary\r\nContent-Disposition: form-data; name="archive"; filename="x.zip"\r\n\r\nPK...');
  const { file } = await readMultipartUpload(pieces(cut, 5), "b0undary");
  await assertRejects(() => collect(file!.bytes), InvalidInputError);
  assertEquals(multipartBoundary("application/x-www-form-urlencoded"), null);
});
