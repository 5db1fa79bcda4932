/**
 * @module
 * Connection pinning for the safe fetch: a `Deno.HttpClient` whose connections go to one validated IP address,
 * whatever DNS says at connect time (closes the DNS-rebinding window between the SSRF check and the connect).
 *
 * Both schemes go through a one-request proxy listening on 127.0.0.1 that the client is told to use; it accepts only
 * requests for the pinned host with a random per-request credential, and dials the validated address.
 * - `https:`: the proxy accepts only `CONNECT host:port` and tunnels bytes. TLS stays end to end between Deno's
 *   fetch and the origin (SNI and certificate checked for the host name).
 * - `http:`: the client sends a forward-proxy request (`GET http://host:port/path`); the proxy rewrites its request
 *   line to origin form (`GET /path`), drops the proxy credential, asks for `Connection: close`, and relays the
 *   exchange. (Deno's own `proxy: { transport: "tcp" }` sends the absolute form to the origin, which servers such
 *   as the PDS answer with 404.)
 */

/** A pinned client and how to release it (closes the client, the proxy listener and any tunnels). */
export interface PinnedClient {
  client: Deno.HttpClient;
  release(): void;
}

const MAX_HEAD_BYTES = 8 * 1024;

/** Creates a client that connects to `address` for `url`'s host and port. */
export function createPinnedClient(url: URL, address: string, caCerts?: string[]): PinnedClient {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const plain = url.protocol === "http:";
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const token = crypto.randomUUID();
  const expected = `${url.hostname}:${port}`.toLowerCase();
  const open = new Set<Deno.Conn>();
  const serve = async () => {
    for await (const conn of listener) {
      open.add(conn);
      const relay = plain ? forward : tunnel;
      relay(conn, expected, token, address, port, open).catch(() => {}).finally(() => close(conn, open));
    }
  };
  serve().catch(() => {});
  const client = Deno.createHttpClient({
    caCerts,
    proxy: {
      url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
      basicAuth: { username: token, password: "" },
    },
  });
  return {
    client,
    release() {
      client.close();
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const conn of open) close(conn, open);
    },
  };
}

function close(conn: Deno.Conn, open: Set<Deno.Conn>) {
  open.delete(conn);
  try {
    conn.close();
  } catch { /* already closed */ }
}

async function tunnel(
  conn: Deno.Conn,
  expected: string,
  token: string,
  address: string,
  port: number,
  open: Set<Deno.Conn>,
): Promise<void> {
  const head = await readHead(conn);
  const lines = head.split("\r\n");
  const [method, target] = lines[0].split(" ");
  const auth = lines.find((l) => /^proxy-authorization:/i.test(l))?.slice(20).trim();
  const wantAuth = "Basic " + btoa(`${token}:`);
  if (method !== "CONNECT" || target?.toLowerCase() !== expected || auth !== wantAuth) {
    await conn.write(new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
    return;
  }
  const upstream = await Deno.connect({ hostname: address, port });
  open.add(upstream);
  try {
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    await Promise.all([
      conn.readable.pipeTo(upstream.writable).catch(() => {}),
      upstream.readable.pipeTo(conn.writable).catch(() => {}),
    ]);
  } finally {
    close(upstream, open);
  }
}

/** Relays one plain-http forward-proxy request for the pinned host to `address`, in origin form. */
async function forward(
  conn: Deno.Conn,
  expected: string,
  token: string,
  address: string,
  port: number,
  open: Set<Deno.Conn>,
): Promise<void> {
  const head = await readHead(conn);
  const lines = head.split("\r\n").filter((l) => l !== "");
  const [method, target, version] = (lines[0] ?? "").split(" ");
  const auth = lines.find((l) => /^proxy-authorization:/i.test(l))?.slice(20).trim();
  let targetUrl: URL | null = null;
  try {
    targetUrl = new URL(target ?? "");
  } catch { /* refused below */ }
  const hostPort = targetUrl ? `${targetUrl.hostname}:${targetUrl.port || "80"}`.toLowerCase() : "";
  if (
    !method || method === "CONNECT" || targetUrl?.protocol !== "http:" || hostPort !== expected ||
    auth !== "Basic " + btoa(`${token}:`)
  ) {
    await conn.write(new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
    return;
  }
  const headers = lines.slice(1).filter((l) => !/^(proxy-authorization|proxy-connection|connection):/i.test(l));
  const rewritten = [`${method} ${targetUrl.pathname}${targetUrl.search} ${version}`, ...headers, "connection: close"]
    .join("\r\n") + "\r\n\r\n";
  const upstream = await Deno.connect({ hostname: address, port });
  open.add(upstream);
  try {
    await upstream.write(new TextEncoder().encode(rewritten));
    // The request body (if any) flows on in the background; the exchange ends when the origin closes.
    conn.readable.pipeTo(upstream.writable).catch(() => {});
    await upstream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {});
  } finally {
    close(upstream, open);
  }
}

/** Reads the CONNECT request head byte by byte (the client sends nothing more before the 200). */
async function readHead(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(MAX_HEAD_BYTES);
  let len = 0;
  const one = new Uint8Array(1);
  while (len < MAX_HEAD_BYTES) {
    const n = await conn.read(one);
    if (n === null) break;
    buf[len++] = one[0];
    if (len >= 4 && buf[len - 4] === 13 && buf[len - 3] === 10 && buf[len - 2] === 13 && buf[len - 1] === 10) break;
  }
  return new TextDecoder().decode(buf.subarray(0, len));
}
