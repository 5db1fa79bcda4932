import { assertEquals, assertThrows } from "./assert.ts";
import { DEFAULT_LIMITS, loadConfig } from "../lib/config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("config - local defaults: port 8000, path mode, file KV under data/, demo seeded", () => {
  const c = loadConfig(env({}));
  assertEquals(c.env, "development");
  assertEquals(c.port, 8000);
  assertEquals(c.hostname, "127.0.0.1");
  assertEquals(c.publicOrigin, "http://localhost:8000");
  assertEquals(c.addressing, "path");
  assertEquals(c.wikiDomain, null);
  assertEquals(c.kvPath, "./data/robot.kv");
  assertEquals(c.tls, null);
  assertEquals(c.seedDemo, true);
  assertEquals(c.limits, DEFAULT_LIMITS);
});

Deno.test("config - WIKI_DOMAIN switches to subdomain mode", () => {
  const c = loadConfig(
    env({ WIKI_DOMAIN: "Robot.WTF", PUBLIC_ORIGIN: "https://robot.wtf/", ROBOT_ENV: "production", ROBOT_KEYS: "{}" }),
  );
  assertEquals(c.addressing, "subdomain");
  assertEquals(c.wikiDomain, "robot.wtf");
  assertEquals(c.publicOrigin, "https://robot.wtf");
  assertEquals(c.seedDemo, false);
  assertEquals(c.hostname, "0.0.0.0");
});

Deno.test("config - Deno Deploy uses the platform KV (no path) and production mode", () => {
  const c = loadConfig(env({ DENO_DEPLOYMENT_ID: "abc", ROBOT_KEYS: "{}" }));
  assertEquals(c.env, "production");
  assertEquals(c.kvPath, null);
});

Deno.test("config - rejects invalid values with the variable's name", () => {
  assertThrows(() => loadConfig(env({ PORT: "eighty" })), Error, "PORT must be a non-negative integer");
  assertThrows(() => loadConfig(env({ ADDRESSING: "dns" })), Error, 'ADDRESSING must be "path" or "subdomain"');
  assertThrows(() => loadConfig(env({ ADDRESSING: "subdomain" })), Error, "subdomain addressing needs WIKI_DOMAIN");
  assertThrows(() => loadConfig(env({ PUBLIC_ORIGIN: "https://robot.wtf/app" })), Error, "must be an origin");
  assertThrows(() => loadConfig(env({ PUBLIC_ORIGIN: "ftp://x" })), Error, "must be http(s)");
  assertThrows(() => loadConfig(env({ TLS_CERT_FILE: "c.pem" })), Error, "must be set together");
  assertThrows(() => loadConfig(env({ SEED_DEMO: "maybe" })), Error, "SEED_DEMO must be true or false");
  assertThrows(() => loadConfig(env({ ROBOT_ENV: "production" })), Error, "production needs ROBOT_KEYS");
});

Deno.test("config - TLS files make the default origin https", () => {
  const c = loadConfig(env({ TLS_CERT_FILE: "c.pem", TLS_KEY_FILE: "k.pem", PORT: "8443" }));
  assertEquals(c.publicOrigin, "https://localhost:8443");
  assertEquals(c.tls, { certFile: "c.pem", keyFile: "k.pem" });
});

Deno.test("config - OAuth token lifetimes: 8 h / 60 d by default, configurable, never zero", async () => {
  assertEquals(loadConfig(env({})).oauth, { accessTokenTtlMs: 8 * 3_600_000, refreshTokenTtlMs: 60 * 86_400_000 });
  const c = loadConfig(env({ OAUTH_ACCESS_TOKEN_HOURS: "1", OAUTH_REFRESH_TOKEN_DAYS: "90" }));
  assertEquals(c.oauth, { accessTokenTtlMs: 3_600_000, refreshTokenTtlMs: 90 * 86_400_000 });
  assertThrows(
    () => loadConfig(env({ OAUTH_ACCESS_TOKEN_HOURS: "0" })),
    Error,
    "OAUTH_ACCESS_TOKEN_HOURS must be at least 1",
  );
  // The app's authorization server uses them: a token issued now expires after the configured lifetime.
  const { appFixture } = await import("./fixture/app.ts");
  const f = await appFixture({ config: { ...c, kvPath: ":memory:", seedDemo: false } });
  try {
    assertEquals(f.app.deps.oauth.ctx.settings.accessTokenTtlMs, 3_600_000);
    assertEquals(f.app.deps.oauth.ctx.settings.refreshTokenTtlMs, 90 * 86_400_000);
  } finally {
    await f.close();
  }
});

Deno.test("config - PRIMARY_WIKI: never by default, a slug, path mode only", () => {
  assertEquals(loadConfig(env({})).primaryWiki, null);
  assertEquals(loadConfig(env({ PRIMARY_WIKI: "Alice" })).primaryWiki, "alice");
  assertThrows(() => loadConfig(env({ PRIMARY_WIKI: "not a slug" })), Error, "PRIMARY_WIKI");
  assertThrows(() => loadConfig(env({ PRIMARY_WIKI: "alice", WIKI_DOMAIN: "robot.wtf" })), Error, "path mode");
});

Deno.test("config - no EMBEDDINGS_URL: no remote embedder; its other settings alone are refused", () => {
  assertEquals(loadConfig(env({})).embeddings, null);
  assertThrows(() => loadConfig(env({ EMBEDDINGS_MODEL: "m" })), Error, "EMBEDDINGS_MODEL set without EMBEDDINGS_URL");
});

Deno.test("config - EMBEDDINGS_URL: base, /v1 or full endpoint; model required; defaults and bounds", () => {
  const c = loadConfig(env({ EMBEDDINGS_URL: "http://127.0.0.1:11434", EMBEDDINGS_MODEL: "nomic-embed-text" }));
  assertEquals(c.embeddings, {
    endpoint: "http://127.0.0.1:11434/v1/embeddings",
    model: "nomic-embed-text",
    key: null,
    dimensions: null,
    batchSize: 32,
    timeoutMs: 20_000,
  });
  const endpoint = (url: string) =>
    loadConfig(env({ EMBEDDINGS_URL: url, EMBEDDINGS_MODEL: "m" })).embeddings?.endpoint;
  assertEquals(endpoint("https://api.openai.com/v1"), "https://api.openai.com/v1/embeddings");
  assertEquals(endpoint("https://api.openai.com/v1/"), "https://api.openai.com/v1/embeddings");
  assertEquals(endpoint("https://h.example/proxy/v1/embeddings"), "https://h.example/proxy/v1/embeddings");
  assertEquals(endpoint("https://h.example/openai"), "https://h.example/openai/v1/embeddings");
  const full = loadConfig(env({
    EMBEDDINGS_URL: "https://api.openai.com/v1",
    EMBEDDINGS_MODEL: "text-embedding-3-small",
    EMBEDDINGS_KEY: "sk-1",
    EMBEDDINGS_DIMENSIONS: "512",
    EMBEDDINGS_BATCH_SIZE: "100",
    EMBEDDINGS_TIMEOUT_MS: "5000",
  })).embeddings!;
  assertEquals([full.key, full.dimensions, full.batchSize, full.timeoutMs], ["sk-1", 512, 100, 5000]);
  assertThrows(() => loadConfig(env({ EMBEDDINGS_URL: "http://127.0.0.1:1" })), Error, "needs EMBEDDINGS_MODEL");
  assertThrows(() => loadConfig(env({ EMBEDDINGS_URL: "ftp://x", EMBEDDINGS_MODEL: "m" })), Error, "http(s)");
  const bad = (name: string, value: string, msg: string) =>
    assertThrows(
      () => loadConfig(env({ EMBEDDINGS_URL: "http://127.0.0.1:1", EMBEDDINGS_MODEL: "m", [name]: value })),
      Error,
      msg,
    );
  bad("EMBEDDINGS_BATCH_SIZE", "0", "at least 1");
  bad("EMBEDDINGS_BATCH_SIZE", "5000", "at most 2048");
  bad("EMBEDDINGS_DIMENSIONS", "100000", "at most 8192");
  bad("EMBEDDINGS_TIMEOUT_MS", "soon", "non-negative integer");
});
