/**
 * lib/net/pinned_client.ts over plain http (the scheme of a local PDS in development and tests): requests reach the
 * pinned address in origin form with the original Host, bodies included; a request for another host through the
 * same pinned client is refused by its proxy.
 */
import { assertEquals } from "../assert.ts";
import { createPinnedClient } from "../../lib/net/pinned_client.ts";
import { createSafeFetch, UNSAFE_ALLOW_LOOPBACK_FOR_TESTS } from "../../lib/net/safe_fetch.ts";

Deno.test("pinned http: origin-form target, original Host, body relayed; other hosts refused", async () => {
  // A raw HTTP/1.1 server that records the request line as sent (Deno.serve would normalize an absolute-form target).
  const seen: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const serving = (async () => {
    for await (const conn of listener) {
      let text = "";
      const buf = new Uint8Array(4096);
      for (let i = 0; i < 50; i++) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        const [head, body = ""] = text.split("\r\n\r\n");
        const length = Number(head.match(/content-length: *(\d+)/i)?.[1] ?? 0);
        if (text.includes("\r\n\r\n") && body.length >= length) break;
      }
      const [head, body = ""] = text.split("\r\n\r\n");
      const host = head.match(/\r\nhost: *([^\r]+)/i)?.[1];
      seen.push(`${head.split("\r\n")[0]} | ${host} | ${body}`);
      await conn.write(
        new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\npong"),
      );
      conn.close();
    }
  })().catch(() => {});
  try {
    // A name only the injected resolver knows: nothing but the pinned address can be reached.
    const safe = createSafeFetch({
      env: "development",
      allowHttp: true,
      allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
      resolve: (host) => host === "pds.pinned.test" ? Promise.resolve(["127.0.0.1"]) : Promise.reject(new Error(host)),
    });
    const get = await safe(`http://pds.pinned.test:${port}/oauth/par?x=1`);
    assertEquals(get.status, 200);
    assertEquals(await get.text(), "pong");
    const post = await safe(`http://pds.pinned.test:${port}/xrpc/call`, { method: "POST", body: "hello body" });
    assertEquals(post.status, 200);
    await post.body?.cancel();
    assertEquals(seen, [
      `GET /oauth/par?x=1 HTTP/1.1 | pds.pinned.test:${port} | `,
      `POST /xrpc/call HTTP/1.1 | pds.pinned.test:${port} | hello body`,
    ]);

    const pinned = createPinnedClient(new URL(`http://pds.pinned.test:${port}/`), "127.0.0.1");
    try {
      const other = await fetch(`http://other.test:${port}/`, { client: pinned.client } as RequestInit);
      assertEquals(other.status, 403);
      await other.body?.cancel();
    } finally {
      pinned.release();
    }
    assertEquals(seen.length, 2, "the refused request never reached the server");
  } finally {
    listener.close();
    await serving;
  }
});
