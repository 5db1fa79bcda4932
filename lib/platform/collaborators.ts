/**
 * @module
 * Collaborators of a wiki, managed by handle: adding resolves the handle to a DID (the identity) and remembers the
 * handle for display, since the person may never have signed in; roles are admin, editor or viewer; the owner is
 * always an admin and cannot be removed. Removing someone also revokes the OAuth grants they gave apps on this
 * wiki, so their connected apps stop at once.
 */
import type { Role, WikiRecord } from "../wiki/types.ts";
import { InvalidInputError } from "../errors.ts";
import { IdentityError, normalizeLoginInput } from "../atproto/identity.ts";
import { getUser } from "./users.ts";
import { deleteMemberHandle, getMemberHandle, setMemberHandle } from "./store.ts";
import type { PlatformDeps } from "./deps.ts";
import { effectiveRole, ownsWiki, ROLES } from "../auth/access.ts";

/** What each role may do, in words. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  admin: "read, write and change settings",
  editor: "read and write pages",
  viewer: "read pages",
};

/** A collaborator as the dashboard shows them. */
export interface Collaborator {
  did: string;
  /** Current handle when known (from their last sign-in, else the one they were added by); null if never known. */
  handle: string | null;
  role: Role;
  isOwner: boolean;
  addedAt: number;
}

/** A role from form input; InvalidInputError otherwise. */
export function parseRole(input: unknown): Role {
  const role = String(input ?? "");
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new InvalidInputError("Choose a role: admin, editor or viewer.");
  }
  return role as Role;
}

/** The wiki's collaborators, owner first, with handles. */
export async function listCollaborators(
  deps: Pick<PlatformDeps, "kv" | "wikis">,
  wiki: WikiRecord,
): Promise<Collaborator[]> {
  const members = await deps.wikis.members(wiki.id);
  const out: Collaborator[] = [];
  for (const m of members) {
    out.push({
      did: m.did,
      handle: await handleOf(deps.kv, wiki.id, m.did),
      role: effectiveRole(m.role, ownsWiki(wiki, m.did)),
      isOwner: ownsWiki(wiki, m.did),
      addedAt: m.addedAt,
    });
  }
  return out;
}

/** The best known handle of `did`: their own user record, else the handle they were added to `wikiId` by. */
export async function handleOf(kv: Deno.Kv, wikiId: string | null, did: string): Promise<string | null> {
  const user = await getUser(kv, did);
  if (user) return user.handle;
  if (wikiId === null) return null;
  return await getMemberHandle(kv, wikiId, did);
}

/**
 * Adds the person named by `input` (a handle, `@handle`, a dotless name meaning `.bsky.social`, or a DID) with
 * `role`. InvalidInputError for bad input, an unknown handle, the owner, or someone already on the wiki.
 */
export async function addCollaborator(
  deps: Pick<PlatformDeps, "kv" | "wikis" | "identity">,
  wiki: WikiRecord,
  input: string,
  role: Role,
  addedBy: string,
): Promise<Collaborator> {
  let did: string;
  let handle: string | null = null;
  try {
    const parsed = normalizeLoginInput(String(input ?? ""));
    if (parsed.kind === "url") {
      throw new InvalidInputError("Enter the person's handle (like alice.bsky.social) or DID, not a server address.");
    }
    if (parsed.kind === "did") {
      did = parsed.did;
    } else {
      handle = parsed.handle;
      did = await deps.identity.resolveHandle(parsed.handle);
    }
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    // Anything else (a handle's server unreachable, a bad answer) is not the person's fault, but they can retry.
    const text = err instanceof IdentityError && err.status === 422
      ? err.message.replace(/ Check the spelling, or enter your DID or PDS URL\.$/, " Check the spelling.")
      : `We could not look up ${String(input ?? "").trim().slice(0, 100)} right now. Try again in a moment.`;
    throw new InvalidInputError(text.replace(/^Enter your handle/, "Enter a handle"));
  }
  const who = handle ?? did;
  if (did === wiki.ownerDid) throw new InvalidInputError(`${who} owns this wiki already.`);
  const current = await deps.wikis.roleOf(wiki, did);
  if (current !== null) {
    throw new InvalidInputError(`${who} is already a collaborator (${current}). Change their role in the list.`);
  }
  await deps.wikis.setMember(wiki.id, did, role, addedBy);
  if (handle !== null) await setMemberHandle(deps.kv, wiki.id, did, handle);
  return { did, handle: handle ?? await handleOf(deps.kv, wiki.id, did), role, isOwner: false, addedAt: Date.now() };
}

/** Changes a collaborator's role. InvalidInputError for the owner or someone not on the wiki. */
export async function changeRole(
  deps: Pick<PlatformDeps, "wikis">,
  wiki: WikiRecord,
  did: string,
  role: Role,
  changedBy: string,
): Promise<void> {
  await requireCollaborator(deps, wiki, did);
  if (did === wiki.ownerDid) throw new InvalidInputError("The owner is always an admin; their role cannot change.");
  await deps.wikis.setMember(wiki.id, did, role, changedBy);
}

/**
 * Removes a collaborator and revokes the OAuth grants they gave apps on this wiki. Returns how many grants were
 * revoked. InvalidInputError for the owner or someone not on the wiki.
 */
export async function removeCollaborator(
  deps: Pick<PlatformDeps, "kv" | "wikis" | "oauth">,
  wiki: WikiRecord,
  did: string,
): Promise<number> {
  await requireCollaborator(deps, wiki, did);
  if (did === wiki.ownerDid) {
    throw new InvalidInputError("The owner cannot be removed from their wiki. Delete the wiki instead.");
  }
  await deps.wikis.removeMember(wiki.id, did);
  await deleteMemberHandle(deps.kv, wiki.id, did);
  let revoked = 0;
  for (const g of await deps.oauth.listGrants(wiki.id)) {
    if (g.did === did && await deps.oauth.revokeGrant(wiki.id, g.grantId)) revoked++;
  }
  return revoked;
}

/** Longest DID a form may name (the DID spec allows 2 KB; real did:plc and did:web are far shorter). */
const MAX_DID_LENGTH = 512;

async function requireCollaborator(deps: Pick<PlatformDeps, "wikis">, wiki: WikiRecord, did: string): Promise<void> {
  const text = String(did ?? "");
  // Not a DID (or absurdly long for one): nobody on the wiki, and not worth a KV read (keys are capped at 2 KB).
  if (!text.startsWith("did:") || text.length > MAX_DID_LENGTH || (await deps.wikis.roleOf(wiki, text)) === null) {
    throw new InvalidInputError("That person is not a collaborator on this wiki (any more). Reload the page.");
  }
}
