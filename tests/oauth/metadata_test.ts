import { assertEquals } from "../assert.ts";
import { authorizationServerMetadata } from "../../lib/oauth/metadata.ts";
import {
  InvalidClientError,
  InvalidGrantError,
  oauthErrorResponse,
  ServerError,
  TemporarilyUnavailableError,
} from "../../lib/oauth/errors.ts";
import { Urls } from "../../lib/urls.ts";
import { testConfig } from "../../lib/config.ts";

Deno.test("metadata - subdomain mode: issuer is the wiki origin exactly, endpoints at its root", () => {
  const urls = new Urls(
    testConfig({ publicOrigin: "https://robot.wtf", addressing: "subdomain", wikiDomain: "robot.wtf" }),
  );
  assertEquals(authorizationServerMetadata(urls, "alice"), {
    issuer: "https://alice.robot.wtf",
    authorization_endpoint: "https://alice.robot.wtf/authorize",
    token_endpoint: "https://alice.robot.wtf/token",
    registration_endpoint: "https://alice.robot.wtf/register",
    revocation_endpoint: "https://alice.robot.wtf/revoke",
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    scopes_supported: ["wiki:read", "wiki:write"],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    service_documentation: "https://robot.wtf/docs/mcp",
  });
});

Deno.test("metadata - path mode: issuer and endpoints under /w/{slug}", () => {
  const urls = new Urls(testConfig({ publicOrigin: "http://localhost:8000" }));
  const m = authorizationServerMetadata(urls, "alice");
  assertEquals(m.issuer, "http://localhost:8000/w/alice");
  assertEquals(m.token_endpoint, "http://localhost:8000/w/alice/token");
});

Deno.test("errors - invalid_client is 401 with a Basic challenge and no-store", async () => {
  const res = oauthErrorResponse(new InvalidClientError("The client secret is wrong."));
  assertEquals(res.status, 401);
  assertEquals(res.headers.get("www-authenticate"), 'Basic realm="oauth", charset="UTF-8"');
  assertEquals(res.headers.get("cache-control"), "no-store");
  assertEquals(await res.json(), { error: "invalid_client", error_description: "The client secret is wrong." });
});

Deno.test("errors - internal detail never reaches the wire", async () => {
  const res = oauthErrorResponse(new InvalidGrantError("The code is invalid.", { detail: "grant g_x revoked" }));
  assertEquals(res.status, 400);
  assertEquals(await res.text(), '{"error":"invalid_grant","error_description":"The code is invalid."}');
  const s = oauthErrorResponse(new ServerError("db exploded at key oauth_grant/..."));
  assertEquals(s.status, 500);
  const body = await s.json();
  assertEquals(body.error, "server_error");
  assertEquals(JSON.stringify(body).includes("exploded"), false);
  const u = oauthErrorResponse(new Error("secret internals"));
  assertEquals((await u.json()).error, "server_error");
  const busy = oauthErrorResponse(new TemporarilyUnavailableError("Try later."));
  assertEquals([busy.status, (await busy.json()).error_description], [503, "Try later."]);
});
