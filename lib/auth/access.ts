/**
 * @module
 * The access policy: every decision about who may read, write, administer or own a wiki, and which OAuth scopes
 * that allows, is made here (framework-free: plain data in, a boolean or a list out). Routes, the dashboard, the
 * OAuth consent and token verifier, per-wiki tokens and the MCP endpoint ask this module; none of them compares
 * role names or visibilities itself.
 *
 * The chain is role -> capabilities -> scopes:
 *
 * | role   | read | write | administer | own        |
 * | ------ | ---- | ----- | ---------- | ---------- |
 * | admin  | yes  | yes   | yes        | owner only |
 * | editor | yes  | yes   | no         | no         |
 * | viewer | yes  | no    | no         | no         |
 *
 * `wiki:read` needs the read capability, `wiki:write` the write capability; administering and owning have no
 * scope (they are dashboard-only). The owner is always an admin, and the only one who owns.
 *
 * Who may read a wiki in the browser follows its visibility: `public` anyone; `logged_in` anyone signed in;
 * `private` members only (any role).
 */
import type { Role, Visibility } from "../wiki/types.ts";

/** Scopes of the wiki's protected resource (the MCP endpoint). */
export type Scope = "wiki:read" | "wiki:write";

/** Every scope, in the order they are advertised (AS and PRM `scopes_supported`, the 401 challenge). */
export const SCOPES: readonly Scope[] = ["wiki:read", "wiki:write"];

/** What a person may do on a wiki. */
export type Capability = "read" | "write" | "administer" | "own";

/** Every capability, weakest first. */
export const CAPABILITIES: readonly Capability[] = ["read", "write", "administer", "own"];

/** The roles, in the order the dashboard shows them. */
export const ROLES: readonly Role[] = ["admin", "editor", "viewer"];

/** The capabilities each role grants ("own" comes from ownership, never from a role). */
const ROLE_CAPABILITIES: Readonly<Record<Role, readonly Capability[]>> = {
  admin: ["read", "write", "administer"],
  editor: ["read", "write"],
  viewer: ["read"],
};

/** The capability each scope stands for. */
const SCOPE_CAPABILITY: Readonly<Record<Scope, Capability>> = {
  "wiki:read": "read",
  "wiki:write": "write",
};

/** A person's standing on one wiki: their role (null: no member) and whether they own it. */
export interface Standing {
  role: Role | null | undefined;
  isOwner?: boolean;
}

/** True when `did` owns `wiki`. */
export function ownsWiki(wiki: { ownerDid: string }, did: string): boolean {
  return wiki.ownerDid === did;
}

/** The role a member holds in effect: the owner is always an admin, whatever their stored role. */
export function effectiveRole(role: Role, isOwner: boolean): Role {
  return isOwner ? "admin" : role;
}

/** The capabilities of someone with `standing` (none for a non-member). */
export function capabilitiesOf(standing: Standing): Capability[] {
  const { role, isOwner = false } = standing;
  if (role === null || role === undefined) return [];
  const caps = new Set(ROLE_CAPABILITIES[effectiveRole(role, isOwner)]);
  if (isOwner) caps.add("own");
  return CAPABILITIES.filter((c) => caps.has(c));
}

/** True when someone with `standing` has `capability` on the wiki. */
export function can(standing: Standing, capability: Capability): boolean {
  return capabilitiesOf(standing).includes(capability);
}

/** True when the role (null or undefined: no member) has `capability`; ownership is not considered. */
export function roleCan(role: Role | null | undefined, capability: Capability): boolean {
  return can({ role }, capability);
}

/** The capability a scope stands for. */
export function scopeCapability(scope: Scope): Capability {
  return SCOPE_CAPABILITY[scope];
}

/** The scopes that `capabilities` allow, in advertised order. */
export function scopesFor(capabilities: readonly Capability[]): Scope[] {
  return SCOPES.filter((s) => capabilities.includes(SCOPE_CAPABILITY[s]));
}

/** The scopes a member with `role` may hold (and grant to an app): viewers read, editors and admins read and write. */
export function scopesForRole(role: Role): Scope[] {
  return scopesFor(capabilitiesOf({ role }));
}

/**
 * What a credential holding `granted` may do now for someone with `standing`: the scopes it holds that their
 * current capabilities still allow (a demoted editor's app keeps `wiki:read` only; a non-member's nothing).
 */
export function effectiveScopes(granted: readonly Scope[], standing: Standing): Scope[] {
  const { role, isOwner = false } = standing;
  return scopesWithinRole(granted, role === null || role === undefined ? null : effectiveRole(role, isOwner));
}

/** The scopes of a per-wiki token: read-only tokens read; the others read and write. */
export function tokenScopes(readOnly: boolean): Scope[] {
  return scopesFor(readOnly ? ["read"] : ["read", "write"]);
}

/** True when a credential holding `granted` may do what `needed` covers (scopes imply nothing of each other). */
export function hasScope(granted: ReadonlySet<Scope>, needed: Scope): boolean {
  return granted.has(needed);
}

/**
 * The scopes a grant of `granted` carries now for a member whose CURRENT role is `role` (none for a non-member): the
 * grant capped by the role, in advertised order. Used wherever an OAuth credential is used or renewed, so that a
 * demotion takes effect at once (verifying an access token, refreshing, redeeming a code).
 */
export function scopesWithinRole(granted: Iterable<Scope>, role: Role | null): Scope[] {
  if (role === null) return [];
  const g = new Set(granted);
  const allowed = scopesForRole(role);
  return SCOPES.filter((s) => g.has(s) && allowed.includes(s));
}

/**
 * How a credential stands towards a scope it needs:
 * - `held`: it has the scope now;
 * - `step-up`: it lacks the scope but could get it by authorizing again (an OAuth grant of `wiki:read` for an editor):
 *   the spec's 403 `insufficient_scope` challenge applies;
 * - `never`: nothing it could ask for gives it the scope (a viewer's grant, a read-only per-wiki token): the caller
 *   is told why instead, since no re-authorization would help.
 */
export type ScopeStanding = "held" | "step-up" | "never";

/** What a credential holds now (`scopes`) and the most it could hold by authorizing again (`attainable`). */
export interface CredentialScopes {
  scopes: ReadonlySet<Scope>;
  attainable: ReadonlySet<Scope>;
}

/** The standing of `credential` towards `needed` ({@link ScopeStanding}). */
export function scopeStanding(credential: CredentialScopes, needed: Scope): ScopeStanding {
  if (credential.scopes.has(needed)) return "held";
  return credential.attainable.has(needed) ? "step-up" : "never";
}

/** The scopes of `scopes`, in advertised order, as one space-separated string (a stable key for a scope set). */
export function scopeKey(scopes: ReadonlySet<Scope>): string {
  return SCOPES.filter((s) => scopes.has(s)).join(" ");
}

/** Who asks to read: signed in or not, and their role on the wiki (null: no member). */
export interface Reader {
  signedIn: boolean;
  role: Role | null;
}

/** Someone not signed in. */
export const ANONYMOUS: Reader = Object.freeze({ signedIn: false, role: null });

/** True when `reader` may read a wiki of `visibility` in the browser (anything not open is members-only). */
export function mayRead(visibility: Visibility, reader: Reader): boolean {
  if (visibility === "public") return true;
  if (visibility === "logged_in") return reader.signedIn;
  return roleCan(reader.role, "read");
}

/** True when anyone, even signed out, may read a wiki of `visibility` (and so see its title and navigation). */
export function readableByAnyone(visibility: Visibility): boolean {
  return mayRead(visibility, ANONYMOUS);
}
