/**
 * @module
 * Grants: one user's authorization of one client on one wiki, the record every token of that authorization
 * points to. Revoking a grant (deleting it) invalidates its access and refresh tokens at once, because both are
 * checked against the live grant on every use. There is at most one grant per (wiki, user, client): re-authorizing
 * replaces it.
 */
import type { Scope } from "../auth/principal.ts";
import type { WikiId } from "../kv/keys.ts";
import { getLive, isLive } from "../kv/expiring.ts";
import type { OAuthContext } from "./context.ts";
import { OK } from "./keys.ts";

/** A grant as stored under `OK.grant`. `pending` until its code is exchanged. */
export interface GrantRecord {
  id: string;
  wikiId: WikiId;
  did: string;
  clientId: string;
  clientName: string;
  clientKind: "registered" | "metadata-document";
  /** The redirect URI the grant was made for (its host is shown in Connected apps). */
  redirectUri: string;
  scopes: Scope[];
  resource: string;
  /** True when refresh tokens are issued (the client registered the refresh_token grant). */
  refresh: boolean;
  status: "pending" | "active";
  createdAt: number;
  expiresAt: number;
}

/** Value of the `grantOf` and `userGrant` indexes. */
export interface GrantPointer {
  grantId: string;
  expiresAt: number;
}

/** Adds the writes that store `grant` and its indexes with its `expiresAt` to `op`. */
export function putGrant(op: Deno.AtomicOperation, grant: GrantRecord, now: number): Deno.AtomicOperation {
  const ttl = Math.max(1, grant.expiresAt - now);
  const ptr: GrantPointer = { grantId: grant.id, expiresAt: grant.expiresAt };
  return op
    .set(OK.grant(grant.wikiId, grant.id), grant, { expireIn: ttl })
    .set(OK.grantOf(grant.wikiId, grant.did, grant.clientId), ptr, { expireIn: ttl })
    .set(OK.userGrant(grant.did, grant.wikiId, grant.id), ptr, { expireIn: ttl });
}

/** Adds the deletes of `grant` and its index entries to `op` (the `grantOf` pointer only if it points to it). */
export function deleteGrantOps(
  op: Deno.AtomicOperation,
  grant: Pick<GrantRecord, "id" | "wikiId" | "did" | "clientId">,
  pointsHere: boolean,
): Deno.AtomicOperation {
  op.delete(OK.grant(grant.wikiId, grant.id))
    .delete(OK.userGrant(grant.did, grant.wikiId, grant.id))
    .delete(OK.grantUsed(grant.wikiId, grant.id));
  if (pointsHere) op.delete(OK.grantOf(grant.wikiId, grant.did, grant.clientId));
  return op;
}

/** Reads a live grant. */
export async function getGrant(ctx: OAuthContext, wikiId: WikiId, grantId: string): Promise<GrantRecord | null> {
  return (await getLive<GrantRecord>(ctx.kv, OK.grant(wikiId, grantId), ctx.now())).value;
}

/**
 * Revokes a grant: deletes it and its indexes, so every access and refresh token of it fails at once (their
 * records expire on their own). Returns false when there was no such grant.
 */
export async function deleteGrant(ctx: OAuthContext, wikiId: WikiId, grantId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await ctx.kv.get<GrantRecord>(OK.grant(wikiId, grantId));
    const g = entry.value;
    if (!g) return false;
    const of = await ctx.kv.get<GrantPointer>(OK.grantOf(wikiId, g.did, g.clientId));
    const pointsHere = of.value?.grantId === grantId;
    const op = ctx.kv.atomic().check(entry).check(of);
    if ((await deleteGrantOps(op, g, pointsHere).commit()).ok) return isLive(g, ctx.now());
  }
  throw new Error(`could not revoke grant ${grantId}: it kept changing`);
}
