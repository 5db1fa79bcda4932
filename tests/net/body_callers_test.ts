/**
 * What each caller of the one bounded body reader (lib/net/body.ts) answers at its limit, with a body that streams
 * in chunks and declares no length: exactly the limit is read, one byte more gets the caller's own answer (an OAuth
 * `invalid_request`, an empty sign-in form, a JSON-RPC 413). These are the behaviours the callers had before they
 * shared the reader.
 */
import { Hono } from "hono";
import { assertEquals, assertIncludes, assertRejects } from "../assert.ts";
import { MAX_TOKEN_REQUEST_BYTES, readForm as readTokenForm } from "../../lib/oauth/client_auth.ts";
import { readBounded } from "../../lib/oauth/clients.ts";
import { InvalidRequestError } from "../../lib/oauth/errors.ts";
import { readForm as readLoginForm } from "../../routes/auth/login.tsx";
import { readRpcBody } from "../../lib/mcp/rpc.ts";

/** A chunked stream of `text` (7-byte chunks), without a declared length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(bytes.slice(off, off + 7));
      off += 7;
    },
  });
}

function post(text: string, type: string): Request {
  return new Request("http://127.0.0.1/x", { method: "POST", body: chunked(text), headers: { "content-type": type } });
}

/** A urlencoded form of exactly `n` bytes with the field `a`. */
function formOf(n: number): string {
  return "a=" + "x".repeat(n - 2);
}

const FORM = "application/x-www-form-urlencoded";

Deno.test("OAuth token form: the limit is read, one byte more is invalid_request", async () => {
  const ok = await readTokenForm(post(formOf(MAX_TOKEN_REQUEST_BYTES), FORM));
  assertEquals(ok.get("a")?.length, MAX_TOKEN_REQUEST_BYTES - 2);
  await assertRejects(
    () => readTokenForm(post(formOf(MAX_TOKEN_REQUEST_BYTES + 1), FORM)),
    InvalidRequestError,
    `The request body is larger than ${MAX_TOKEN_REQUEST_BYTES} bytes.`,
  );
});

Deno.test("OAuth registration body: the limit is read, one byte more is invalid_request", async () => {
  assertEquals((await readBounded(post("x".repeat(100), "application/json"), 100)).length, 100);
  await assertRejects(
    () => readBounded(post("x".repeat(101), "application/json"), 100),
    InvalidRequestError,
    "The request body is larger than 100 bytes.",
  );
});

Deno.test("sign-in form: 8192 bytes are read, one byte more reads as an empty form", async () => {
  const app = new Hono();
  app.post("*", async (c) => c.json([...(await readLoginForm(c))]));
  const fields = async (req: Request) => await (await app.fetch(req)).json() as [string, string][];
  assertEquals((await fields(post(formOf(8192), FORM)))[0][1].length, 8190);
  assertEquals(await fields(post(formOf(8193), FORM)), []);
  const multipart = new FormData();
  multipart.append("identifier", "alice.example");
  multipart.append("pad", "x".repeat(9000));
  assertEquals(await fields(new Request("http://127.0.0.1/", { method: "POST", body: multipart })), []);
});

Deno.test("MCP body: the limit is read, one byte more is a JSON-RPC 413", async () => {
  const message = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
  const padded = (n: number) => message + " ".repeat(n - message.length);
  const ok = await readRpcBody(post(padded(200), "application/json"), 200);
  assertEquals(ok instanceof Response, false);
  const refused = await readRpcBody(post(padded(201), "application/json"), 200);
  if (!(refused instanceof Response)) throw new Error("expected a refusal");
  assertEquals(refused.status, 413);
  assertIncludes(await refused.text(), "Request body too large: the limit is 200 bytes.");
});
