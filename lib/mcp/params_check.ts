/**
 * @module
 * Params of 2025-era requests checked before the SDK sees them. On that leg the SDK validates the params of the
 * spec methods it answers itself (`initialize`, `tools/list`, `ping`) inside the handler and reports a failure as
 * -32603 "internal error" with the raw schema issues as the message: a client's mistake dressed as a server bug.
 * Checked here against the SDK's own spec schemas, the same mistake gets -32602 "Invalid params" naming the field.
 * (`tools/call` is validated by the SDK with -32602 already.)
 */
import { specTypeSchemas } from "@modelcontextprotocol/server";

/** The spec schema of each method the SDK answers itself on the 2025-era leg. */
const SCHEMAS: Readonly<Record<string, keyof typeof specTypeSchemas>> = {
  "initialize": "InitializeRequest",
  "tools/list": "ListToolsRequest",
  "ping": "PingRequest",
};

/** A schema issue as reported by a Standard Schema validator. */
interface Issue {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[];
}

/**
 * A -32602 JSON-RPC answer (HTTP 200, like the SDK's own) for the first request among `messages` whose params the
 * SDK would reject, or null when every message is fine (or not one of the checked methods).
 */
export function invalidParamsAnswer(messages: readonly unknown[]): Response | null {
  for (const m of messages) {
    const { method, id } = m as { method?: unknown; id?: unknown };
    if (typeof method !== "string" || id === undefined || !Object.hasOwn(SCHEMAS, method)) continue;
    const schema = specTypeSchemas[SCHEMAS[method]] as {
      "~standard": { validate(v: unknown): { issues?: readonly Issue[] } | Promise<unknown> };
    };
    const result = schema["~standard"].validate(m);
    const issues = result instanceof Promise ? undefined : result.issues;
    if (!issues || issues.length === 0) continue;
    const first = issues[0];
    const where = (first.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".") || "params";
    const message = `Invalid params for ${method}: ${where}: ${first.message}` +
      (issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "");
    const body = JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32602, message } });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  }
  return null;
}
