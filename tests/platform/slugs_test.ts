import { assertEquals } from "../assert.ts";
import { checkSlug, defaultSlugFromHandle } from "../../lib/platform/slugs.ts";

Deno.test("slugs - valid names are lowercased and accepted", () => {
  assertEquals(checkSlug("Alice"), { ok: true, slug: "alice" });
  assertEquals(checkSlug("a-b"), { ok: true, slug: "a-b" });
  assertEquals(checkSlug("x".repeat(30)), { ok: true, slug: "x".repeat(30) });
  assertEquals(checkSlug("  my-wiki-2 "), { ok: true, slug: "my-wiki-2" });
});

Deno.test("slugs - each rule has its own message", () => {
  assertEquals(checkSlug("ab"), { ok: false, message: "The wiki name must be at least 3 characters." });
  assertEquals(checkSlug("x".repeat(31)), { ok: false, message: "The wiki name must be at most 30 characters." });
  assertEquals(checkSlug("a_b"), {
    ok: false,
    message: "The wiki name may contain only lowercase letters, digits, and hyphens.",
  });
  assertEquals(checkSlug("ünï"), {
    ok: false,
    message: "The wiki name may contain only lowercase letters, digits, and hyphens.",
  });
  assertEquals(checkSlug("-abc"), { ok: false, message: "The wiki name must not start or end with a hyphen." });
  assertEquals(checkSlug("abc-"), { ok: false, message: "The wiki name must not start or end with a hyphen." });
  assertEquals(checkSlug("www"), { ok: false, message: 'The wiki name "www" is reserved.' });
  assertEquals(checkSlug("MCP"), { ok: false, message: 'The wiki name "mcp" is reserved.' });
});

Deno.test("slugs - default from a handle", () => {
  assertEquals(defaultSlugFromHandle("alice.bsky.social"), "alice");
  assertEquals(defaultSlugFromHandle("@Bob-Smith.example.com"), "bob-smith");
  assertEquals(defaultSlugFromHandle("jo.example"), "jowiki");
  assertEquals(defaultSlugFromHandle("x_y_z.test"), "xyz");
  assertEquals(defaultSlugFromHandle("www.example.com"), "");
  assertEquals(defaultSlugFromHandle("-a-.test"), "awiki");
  assertEquals(defaultSlugFromHandle("a".repeat(40) + ".test"), "a".repeat(30));
});
