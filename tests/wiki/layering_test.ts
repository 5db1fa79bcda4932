/**
 * The wiki core depends on no other part of the app (issue 10): nothing under lib/wiki imports lib/oauth, lib/mcp,
 * lib/auth, lib/session, lib/platform or lib/atproto. What other parts keep under a wiki id reaches the wiki's
 * deletion as data (lib/platform/wiki_lifecycle.ts), not as imports.
 */
import { assertEquals } from "../assert.ts";

const FORBIDDEN = /from\s+["']\.\.\/(oauth|mcp|auth|session|platform|atproto)\//;

Deno.test("layering - lib/wiki imports none of oauth, mcp, auth, session, platform, atproto", async () => {
  const offenders: string[] = [];
  const dir = new URL("../../lib/wiki/", import.meta.url);
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(e.name, dir));
    text.split("\n").forEach((line, i) => {
      if (FORBIDDEN.test(line)) offenders.push(`lib/wiki/${e.name}:${i + 1}: ${line.trim()}`);
    });
  }
  assertEquals(offenders, []);
});
