// Reference peer for bench/mcp_bench.ts: Node 20 + Express 5 + the v1 MCP SDK (1.32.2), stateless Streamable HTTP
// with a fresh McpServer and transport per request (the documented stateless idiom), a bearer-token check and a
// read_note tool answering from an in-memory page (Node has no Deno KV). Dependencies are installed by the bench
// into .tmp/bench-node. Prints `{"port":N}` on stdout when listening. Env: TOKEN, PAGE_TEXT, JSON_RESPONSE=1 for
// `enableJsonResponse: true` (default: the transport's default, an SSE answer, like the SDK v2 legacy leg).
// Packages are imported through a variable so that `deno check bench/` does not try to resolve this Node script's
// dependencies (they exist only in .tmp/bench-node, where the bench runs a copy of this file).
const load = (name) => import(name);
const { default: express } = await load("express");
const { McpServer } = await load("@modelcontextprotocol/sdk/server/mcp.js");
const { StreamableHTTPServerTransport } = await load("@modelcontextprotocol/sdk/server/streamableHttp.js");
const { z } = await load("zod");

const TOKEN = process.env.TOKEN ?? "rwtf_bench";
const PAGE = { path: "Home", text: process.env.PAGE_TEXT ?? "# Home\n" };

function build() {
  const server = new McpServer({ name: "node-reference", version: "0.0.1" });
  server.registerTool(
    "read_note",
    { description: "Read a wiki page", inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } },
    ({ path }) => {
      if (path !== PAGE.path) return { isError: true, content: [{ type: "text", text: `Page not found: ${path}.` }] };
      return { content: [{ type: "text", text: PAGE.text }] };
    },
  );
  return server;
}

const app = express();
app.use(express.json({ limit: "15mb" }));
app.post("/mcp", async (req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.status(401).set("www-authenticate", 'Bearer error="invalid_token"').json({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32001, message: "Unauthorized" },
    });
    return;
  }
  const server = build();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: process.env.JSON_RESPONSE === "1",
  });
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.all("/mcp", (_req, res) => res.status(405).set("allow", "POST").end());
const listener = app.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: listener.address().port }));
});
