/** Sign-in configuration (lib/config.ts): defaults, overrides, and what production refuses. */
import { assertEquals, assertThrows } from "./assert.ts";
import { loadConfig } from "../lib/config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("config - sign-in defaults: plc.directory, no handle resolver service, no local PDS, one wiki per person", () => {
  const c = loadConfig(env({}));
  assertEquals(c.atproto, { plcDirectoryUrl: "https://plc.directory", handleResolverUrl: null, allowLocalPds: false });
  assertEquals(c.wikisPerUser, 1);
});

Deno.test("config - sign-in overrides for a local PDS in development", () => {
  const c = loadConfig(env({
    ATPROTO_PLC_URL: "http://localhost:2582/",
    ATPROTO_HANDLE_RESOLVER_URL: "http://localhost:2583",
    ATPROTO_ALLOW_LOCAL_PDS: "true",
    WIKIS_PER_USER: "3",
  }));
  assertEquals(c.atproto, {
    plcDirectoryUrl: "http://localhost:2582",
    handleResolverUrl: "http://localhost:2583",
    allowLocalPds: true,
  });
  assertEquals(c.wikisPerUser, 3);
});

Deno.test("config - production refuses ATPROTO_ALLOW_LOCAL_PDS; bad URLs name their variable", () => {
  assertThrows(
    () => loadConfig(env({ ROBOT_ENV: "production", ROBOT_KEYS: "{}", ATPROTO_ALLOW_LOCAL_PDS: "true" })),
    Error,
    "ATPROTO_ALLOW_LOCAL_PDS is for local development only; unset it in production",
  );
  assertThrows(() => loadConfig(env({ ATPROTO_PLC_URL: "plc" })), Error, 'ATPROTO_PLC_URL is not a URL: "plc"');
  assertThrows(
    () => loadConfig(env({ ATPROTO_HANDLE_RESOLVER_URL: "ftp://x" })),
    Error,
    "ATPROTO_HANDLE_RESOLVER_URL must be http(s)",
  );
  assertThrows(() => loadConfig(env({ WIKIS_PER_USER: "-1" })), Error, "WIKIS_PER_USER must be a non-negative integer");
});
