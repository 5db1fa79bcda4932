/**
 * The access policy (lib/auth/access.ts) as tables: each role (and the owner, and a non-member) against each
 * capability, the scopes each role may hold and each kind of token carries, and each visibility against a stranger,
 * a signed-in non-member and a member. A last test keeps the policy in one place: no module of lib/ or routes/
 * (outside lib/wiki, which may not import lib/auth) compares role names or visibilities itself.
 */
import { assertEquals } from "../assert.ts";
import {
  ANONYMOUS,
  can,
  CAPABILITIES,
  capabilitiesOf,
  type Capability,
  effectiveRole,
  hasScope,
  mayRead,
  ownsWiki,
  readableByAnyone,
  type Reader,
  roleCan,
  ROLES,
  type Scope,
  scopeCapability,
  scopeKey,
  SCOPES,
  scopesFor,
  scopesForRole,
  scopeStanding,
  scopesWithinRole,
  type Standing,
  tokenScopes,
} from "../../lib/auth/access.ts";
import type { Role, Visibility } from "../../lib/wiki/types.ts";

/** Who, and what they may do: read, write, administer, own. */
const CAPABILITY_TABLE: [string, Standing, [boolean, boolean, boolean, boolean]][] = [
  ["owner", { role: "admin", isOwner: true }, [true, true, true, true]],
  ["admin", { role: "admin" }, [true, true, true, false]],
  ["editor", { role: "editor" }, [true, true, false, false]],
  ["viewer", { role: "viewer" }, [true, false, false, false]],
  ["non-member", { role: null }, [false, false, false, false]],
  ["no role at all", { role: undefined }, [false, false, false, false]],
  // The owner is an admin whatever role is stored for them.
  ["owner stored as viewer", { role: "viewer", isOwner: true }, [true, true, true, true]],
];

Deno.test("access - each role x capability", () => {
  assertEquals(CAPABILITIES, ["read", "write", "administer", "own"]);
  for (const [who, standing, expected] of CAPABILITY_TABLE) {
    const got: boolean[] = CAPABILITIES.map((cap) => can(standing, cap));
    assertEquals(got, expected, who);
    assertEquals(capabilitiesOf(standing), CAPABILITIES.filter((_, i) => expected[i]), who);
    if (!standing.isOwner) {
      assertEquals(CAPABILITIES.map((cap) => roleCan(standing.role, cap)), expected, `${who} (role only)`);
    }
  }
  // A role alone never owns: ownership comes from the wiki record.
  for (const role of ROLES) assertEquals(roleCan(role, "own"), false, role);
});

Deno.test("access - the roles, ownership and the owner's effective role", () => {
  assertEquals(ROLES, ["admin", "editor", "viewer"]);
  const wiki = { ownerDid: "did:plc:owner" };
  assertEquals(ownsWiki(wiki, "did:plc:owner"), true);
  assertEquals(ownsWiki(wiki, "did:plc:other"), false);
  for (const role of ROLES) {
    assertEquals(effectiveRole(role, true), "admin", role);
    assertEquals(effectiveRole(role, false), role, role);
  }
});

Deno.test("access - the scope list and the capability each scope stands for", () => {
  assertEquals(SCOPES, ["wiki:read", "wiki:write"]);
  const table: [Scope, Capability][] = [["wiki:read", "read"], ["wiki:write", "write"]];
  for (const [scope, cap] of table) assertEquals(scopeCapability(scope), cap, scope);
  assertEquals(scopesFor([]), []);
  assertEquals(scopesFor(["administer", "own"]), [], "administering and owning carry no scope");
  assertEquals(scopesFor(["write", "read"]), ["wiki:read", "wiki:write"], "advertised order");
});

Deno.test("access - scopes per role and per token", () => {
  const table: [Role, Scope[]][] = [
    ["admin", ["wiki:read", "wiki:write"]],
    ["editor", ["wiki:read", "wiki:write"]],
    ["viewer", ["wiki:read"]],
  ];
  for (const [role, scopes] of table) assertEquals(scopesForRole(role), scopes, role);
  assertEquals(tokenScopes(true), ["wiki:read"]);
  assertEquals(tokenScopes(false), ["wiki:read", "wiki:write"]);
});

Deno.test("access - a grant capped by the current role; how a credential stands towards a scope", () => {
  const both: Scope[] = ["wiki:write", "wiki:read"];
  const table: [Role | null, Scope[]][] = [
    ["admin", ["wiki:read", "wiki:write"]],
    ["editor", [
      "wiki:read",
      "wiki:write",
    ]],
    ["viewer", ["wiki:read"]],
    [null, []],
  ];
  for (const [role, scopes] of table) assertEquals(scopesWithinRole(both, role), scopes, String(role));
  assertEquals(scopesWithinRole(["wiki:read"], "editor"), ["wiki:read"], "never widens the grant");
  const cred = (scopes: Scope[], attainable: Scope[]) => ({ scopes: new Set(scopes), attainable: new Set(attainable) });
  // [held now, attainable, needed, standing]
  const standings: [Scope[], Scope[], Scope, string][] = [
    [["wiki:read", "wiki:write"], ["wiki:read", "wiki:write"], "wiki:write", "held"],
    [["wiki:read"], ["wiki:read", "wiki:write"], "wiki:write", "step-up"], // an editor's read-only grant
    [["wiki:read"], ["wiki:read"], "wiki:write", "never"], // a viewer; a read-only token
    [["wiki:read"], ["wiki:read"], "wiki:read", "held"],
  ];
  for (const [held, attainable, needed, standing] of standings) {
    assertEquals(scopeStanding(cred(held, attainable), needed), standing, `${held} / ${attainable} -> ${needed}`);
  }
  assertEquals(scopeKey(new Set<Scope>(["wiki:write", "wiki:read"])), "wiki:read wiki:write");
  assertEquals(scopeKey(new Set<Scope>()), "");
});

Deno.test("access - a credential's scopes: each needed scope must be held, none implies another", () => {
  const table: [Scope[], Scope, boolean][] = [
    [["wiki:read"], "wiki:read", true],
    [["wiki:read"], "wiki:write", false],
    [["wiki:write"], "wiki:read", false],
    [["wiki:write"], "wiki:write", true],
    [["wiki:read", "wiki:write"], "wiki:write", true],
    [[], "wiki:read", false],
  ];
  for (const [held, needed, expected] of table) {
    assertEquals(hasScope(new Set(held), needed), expected, `${held.join(" ")} -> ${needed}`);
  }
});

Deno.test("access - visibility x stranger / signed-in non-member / member", () => {
  const readers: [string, Reader][] = [
    ["stranger", ANONYMOUS],
    ["signed-in non-member", { signedIn: true, role: null }],
    ["viewer", { signedIn: true, role: "viewer" }],
    ["editor", { signedIn: true, role: "editor" }],
    ["admin", { signedIn: true, role: "admin" }],
  ];
  const table: [Visibility, boolean[]][] = [
    ["public", [true, true, true, true, true]],
    ["logged_in", [false, true, true, true, true]],
    ["private", [false, false, true, true, true]],
  ];
  for (const [visibility, expected] of table) {
    assertEquals(readers.map(([, r]) => mayRead(visibility, r)), expected, visibility);
  }
  assertEquals((["public", "logged_in", "private"] as Visibility[]).map(readableByAnyone), [true, false, false]);
});

/** Comparisons that decide access by a role name or a visibility, and the scope list written out. */
const DECIDERS = [
  /role"?\)?\s*[!=]==?\s*"(admin|editor|viewer)"/,
  /\?\s*"admin"\s*:/,
  /"(admin|editor|viewer)"\s*[!=]==?\s*[\w.()"]*role/,
  /visibility\s*[!=]==?\s*"(public|private|logged_in)"/,
  /\["wiki:read",\s*"wiki:write"\]/,
  /scope\s*[!=]==?\s*"wiki:(read|write)"/,
];

Deno.test("access - no module outside the policy decides by role name, visibility or its own scope list", async () => {
  const root = new URL("../../", import.meta.url);
  const offenders: string[] = [];
  let files = 0;
  async function walk(dir: URL, rel: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const path = `${rel}${e.name}`;
      if (e.isDirectory) {
        // lib/wiki may not import lib/auth (the wiki core stores roles; its owner-is-admin rule is its data's).
        if (path !== "lib/wiki") await walk(new URL(`${e.name}/`, dir), `${path}/`);
      } else if (/\.tsx?$/.test(e.name) && path !== "lib/auth/access.ts") {
        files++;
        const text = await Deno.readTextFile(new URL(e.name, dir));
        for (const re of DECIDERS) {
          const m = text.match(re);
          if (m) offenders.push(`${path}: ${m[0]}`);
        }
      }
    }
  }
  await walk(new URL("lib/", root), "lib/");
  await walk(new URL("routes/", root), "routes/");
  assertEquals(files > 50, true, `walked ${files} files`);
  assertEquals(offenders, []);
});
