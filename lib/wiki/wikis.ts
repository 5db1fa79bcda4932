/**
 * @module
 * Wiki records: create (with seed pages), look up by slug or id, visibility, members and roles, delete.
 */
import type { Actor, Member, Role, Visibility, WikiRecord } from "./types.ts";
import type { PageStore, StoreDeps } from "./store.ts";
import { fitsKeyPart, K, WIKI_SCOPED_TYPES, type WikiId } from "../kv/keys.ts";
import { OAUTH_WIKI_SCOPED_TYPES, OK } from "../oauth/keys.ts";
import { newId } from "../ids.ts";
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import { createPageStore } from "./page_store.ts";
import { forgetCatalog } from "./catalog.ts";
import { SEED_ACTOR, seedPages } from "./seed.ts";
import type { WikiState } from "./records.ts";

/** Wiki registry over Deno KV. */
export interface Wikis {
  /** Creates a wiki with a unique slug (AlreadyExistsError if taken or recently deleted), seeding starter pages. */
  create(
    input: { slug: string; title?: string; ownerDid: string; visibility?: Visibility; seed?: boolean },
    actor: Actor,
  ): Promise<WikiRecord>;
  /** Wiki by slug; null if none. */
  bySlug(slug: string): Promise<WikiRecord | null>;
  /** Wiki by id; null if none. */
  byId(id: string): Promise<WikiRecord | null>;
  /** Page store bound to a wiki. */
  pages(wiki: WikiRecord): PageStore;
  /** Sets visibility. */
  setVisibility(wikiId: string, visibility: Visibility): Promise<WikiRecord>;
  /** Adds or changes a member's role. */
  setMember(wikiId: string, did: string, role: Role, addedBy: string): Promise<void>;
  /** Removes a member. */
  removeMember(wikiId: string, did: string): Promise<void>;
  /** Members, owner first. */
  members(wikiId: string): Promise<Member[]>;
  /** The role of `did` on the wiki: `admin` for the owner, the member's role, or null. */
  roleOf(wiki: WikiRecord, did: string | null): Promise<Role | null>;
  /** Wikis a user owns or is a member of. */
  forUser(did: string): Promise<{ wiki: WikiRecord; role: Role }[]>;
  /** Deletes a wiki and everything under its id; its slug stays reserved for a cooling-off period. */
  delete(wikiId: string): Promise<void>;
}

/** How long a deleted wiki's slug stays reserved. */
export const SLUG_COOLING_OFF_MS = 30 * 24 * 60 * 60 * 1000;
/** Slug shape accepted here (the platform applies its own rules, e.g. reserved names, before calling create). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
/** Keys deleted per commit when a wiki is deleted. */
const DELETE_BATCH = 500;
const ROLES: readonly Role[] = ["admin", "editor", "viewer"];
const VISIBILITIES: readonly Visibility[] = ["private", "logged_in", "public"];

/**
 * Wiki-scoped key types (wiki id second) that live outside lib/kv/keys.ts's WIKI_SCOPED_TYPES and go with the wiki:
 * the per-wiki bearer tokens (lib/auth/tokens.ts) and every OAuth record (lib/oauth/keys.ts). Some index records
 * point at a key outside the wiki's prefixes, which is deleted in the same commit as the index entry (see
 * {@link companionKey}), so deleting a wiki revokes its tokens and grants and leaves nothing behind.
 */
export const WIKI_DELETE_EXTRA_TYPES: readonly string[] = ["wiki_token", ...OAUTH_WIKI_SCOPED_TYPES];

/** The key outside the wiki's prefixes that an entry of a wiki-scoped index points at, if any. */
function companionKey(entry: Deno.KvEntry<unknown>): Deno.KvKey | null {
  const [type, wikiId] = entry.key;
  const v = entry.value as Record<string, unknown> | null;
  if (type === "wiki_token" && typeof v?.hash === "string") return K.tokenByHash(v.hash);
  if (type === "oauth_grant" && typeof v?.did === "string" && typeof v?.id === "string") {
    return OK.userGrant(v.did, wikiId as WikiId, v.id);
  }
  return null;
}

/** Value of `wiki_slug`: the live wiki (denormalized record), or a tombstone after deletion. */
export type SlugEntry =
  | { wikiId: WikiId; record: WikiRecord }
  | { deletedAt: number; reclaimableAt: number; wikiId: WikiId };

/** Value of `user_wiki`: the user's role on the wiki. */
export interface UserWikiEntry {
  role: Role;
}

/** Creates the registry. */
export function createWikis(deps: StoreDeps): Wikis {
  const kv = deps.kv;
  const now = deps.now ?? Date.now;

  async function byId(id: string): Promise<WikiRecord | null> {
    return (await kv.get<WikiRecord>(K.wiki(id))).value;
  }

  async function requireWiki(id: string): Promise<Deno.KvEntryMaybe<WikiRecord> & { value: WikiRecord }> {
    const e = await kv.get<WikiRecord>(K.wiki(id));
    if (e.value === null) throw new NotFoundError(`Wiki ${id} does not exist.`);
    return e as Deno.KvEntryMaybe<WikiRecord> & { value: WikiRecord };
  }

  function checkRole(role: Role): void {
    if (!ROLES.includes(role)) throw new InvalidInputError(`Unknown role "${role}": use admin, editor or viewer.`);
  }

  /** Rewrites a record and its slug copy together, guarded by the record's versionstamp. */
  async function updateRecord(id: string, change: (w: WikiRecord) => WikiRecord): Promise<WikiRecord> {
    for (let i = 0; i < 10; i++) {
      const e = await requireWiki(id);
      const next = change(e.value);
      const res = await kv.atomic().check(e).set(K.wiki(id), next).set(
        K.wikiSlug(next.slug),
        {
          wikiId: id,
          record: next,
        } satisfies SlugEntry,
      ).commit();
      if (res.ok) return next;
    }
    throw new ConflictError("The wiki is busy with other changes; try again in a moment.", null);
  }

  return {
    async create(input, _actor) {
      const slug = String(input.slug ?? "");
      if (!SLUG_PATTERN.test(slug)) {
        throw new InvalidInputError(
          `Invalid wiki name "${slug.slice(0, 40)}": use 3 to 30 lowercase letters, digits and hyphens, not ` +
            `starting or ending with a hyphen.`,
        );
      }
      if (typeof input.ownerDid !== "string" || input.ownerDid.trim() === "") {
        throw new InvalidInputError("A wiki needs an owner: ownerDid is empty.");
      }
      const visibility = input.visibility ?? "private";
      if (!VISIBILITIES.includes(visibility)) {
        throw new InvalidInputError(`Unknown visibility "${visibility}": use private, logged_in or public.`);
      }
      const existing = await kv.get<SlugEntry>(K.wikiSlug(slug));
      const t = now();
      if (existing.value !== null) {
        if ("record" in existing.value) {
          throw new AlreadyExistsError(`The name "${slug}" is already taken by another wiki. Choose another name.`);
        }
        if (existing.value.reclaimableAt > t) {
          throw new AlreadyExistsError(
            `The name "${slug}" belonged to a wiki deleted recently; it can be used again after ` +
              `${new Date(existing.value.reclaimableAt).toISOString().slice(0, 10)}. Choose another name.`,
          );
        }
      }
      const record: WikiRecord = {
        id: newId("w"),
        slug,
        title: input.title?.trim() || slug,
        ownerDid: input.ownerDid,
        visibility,
        createdAt: t,
        quota: { pages: deps.limits.quotaPages, bytes: deps.limits.quotaBytes },
      };
      const owner: Member = { did: input.ownerDid, role: "admin", addedAt: t, addedBy: input.ownerDid };
      const res = await kv.atomic()
        .check({ key: K.wikiSlug(slug), versionstamp: existing.versionstamp })
        .check({ key: K.wiki(record.id), versionstamp: null })
        .set(K.wiki(record.id), record)
        .set(K.wikiSlug(slug), { wikiId: record.id, record } satisfies SlugEntry)
        .set(K.wikiMember(record.id, owner.did), owner)
        .set(K.userWiki(owner.did, record.id), { role: "admin" } satisfies UserWikiEntry)
        .set(K.wikiState(record.id), { pages: 0, bytes: 0, seq: 0 } satisfies WikiState)
        .commit();
      if (!res.ok) {
        throw new AlreadyExistsError(`The name "${slug}" was just taken by another wiki. Choose another name.`);
      }
      if (input.seed !== false) {
        const store = createPageStore(deps, record);
        for (const page of seedPages()) {
          await store.write(page.path, page.content, { message: page.message }, SEED_ACTOR);
        }
      }
      return record;
    },

    async bySlug(slug) {
      // A slug from a URL can be any length; one too long for a KV key names no wiki (and KV would throw).
      if (!fitsKeyPart(String(slug))) return null;
      const v = (await kv.get<SlugEntry>(K.wikiSlug(String(slug)))).value;
      return v !== null && "record" in v ? v.record : null;
    },

    byId,

    pages(wiki) {
      return createPageStore(deps, wiki);
    },

    async setVisibility(wikiId, visibility) {
      if (!VISIBILITIES.includes(visibility)) {
        throw new InvalidInputError(`Unknown visibility "${visibility}": use private, logged_in or public.`);
      }
      return await updateRecord(wikiId, (w) => ({ ...w, visibility }));
    },

    async setMember(wikiId, did, role, addedBy) {
      checkRole(role);
      const wiki = (await requireWiki(wikiId)).value;
      if (did === wiki.ownerDid && role !== "admin") {
        throw new InvalidInputError("The owner of a wiki is always an admin; their role cannot be changed.");
      }
      const old = (await kv.get<Member>(K.wikiMember(wikiId, did))).value;
      const member: Member = { did, role, addedAt: old?.addedAt ?? now(), addedBy: old?.addedBy ?? addedBy };
      await kv.atomic()
        .set(K.wikiMember(wikiId, did), member)
        .set(K.userWiki(did, wikiId), { role } satisfies UserWikiEntry)
        .commit();
    },

    async removeMember(wikiId, did) {
      const wiki = (await requireWiki(wikiId)).value;
      if (did === wiki.ownerDid) {
        throw new InvalidInputError("The owner of a wiki cannot be removed from it. Delete the wiki instead.");
      }
      await kv.atomic().delete(K.wikiMember(wikiId, did)).delete(K.userWiki(did, wikiId)).commit();
    },

    async members(wikiId) {
      const wiki = await byId(wikiId);
      if (wiki === null) throw new NotFoundError(`Wiki ${wikiId} does not exist.`);
      const out: Member[] = [];
      for await (const e of kv.list<Member>({ prefix: ["wiki_member", wikiId] })) out.push(e.value);
      return out.sort((a, b) =>
        (a.did === wiki.ownerDid ? 0 : 1) - (b.did === wiki.ownerDid ? 0 : 1) || a.addedAt - b.addedAt ||
        (a.did < b.did ? -1 : 1)
      );
    },

    async roleOf(wiki, did) {
      if (did === null || did === "") return null;
      if (did === wiki.ownerDid) return "admin";
      return (await kv.get<Member>(K.wikiMember(wiki.id, did))).value?.role ?? null;
    },

    async forUser(did) {
      const entries: { id: string; role: Role }[] = [];
      for await (const e of kv.list<UserWikiEntry>({ prefix: ["user_wiki", did] })) {
        entries.push({ id: e.key[2] as string, role: e.value.role });
      }
      const out: { wiki: WikiRecord; role: Role }[] = [];
      for (let i = 0; i < entries.length; i += 10) {
        const chunk = entries.slice(i, i + 10);
        const recs = await kv.getMany<WikiRecord[]>(chunk.map((c) => K.wiki(c.id)));
        recs.forEach((r, j) => {
          if (r.value) out.push({ wiki: r.value, role: r.value.ownerDid === did ? "admin" : chunk[j].role });
        });
      }
      return out.sort((a, b) => (a.wiki.slug < b.wiki.slug ? -1 : 1));
    },

    async delete(wikiId) {
      const wiki = (await requireWiki(wikiId)).value;
      const memberDids: string[] = [];
      for await (const e of kv.list<Member>({ prefix: ["wiki_member", wikiId] })) memberDids.push(e.value.did);
      const t = now();
      const tombstone: SlugEntry = { deletedAt: t, reclaimableAt: t + SLUG_COOLING_OFF_MS, wikiId };
      await kv.atomic()
        .delete(K.wiki(wikiId))
        .delete(K.wikiState(wikiId))
        .set(K.wikiSlug(wiki.slug), tombstone, { expireIn: SLUG_COOLING_OFF_MS + 24 * 60 * 60 * 1000 })
        .commit();
      forgetCatalog(kv, wikiId);
      for (let i = 0; i < memberDids.length; i += DELETE_BATCH) {
        const op = kv.atomic();
        for (const did of memberDids.slice(i, i + DELETE_BATCH)) op.delete(K.userWiki(did, wikiId));
        await op.commit();
      }
      // `list({ prefix })` does not return the prefix key itself: `wiki_state` went in the first commit.
      // Credentials first: after this no token or grant of the wiki resolves, even if the rest is interrupted.
      for (const type of WIKI_DELETE_EXTRA_TYPES) await deletePrefix(kv, [type, wikiId]);
      for (const type of WIKI_SCOPED_TYPES) await deletePrefix(kv, [type, wikiId]);
      forgetCatalog(kv, wikiId);
    },
  };
}

/**
 * Deletes every key under `prefix`, at most DELETE_BATCH keys per commit, each together with its companion key
 * (an index entry and what it points at go in the same commit).
 */
async function deletePrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<void> {
  for (let round = 0; round < 1_000_000; round++) {
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix }, { limit: DELETE_BATCH / 2 })) {
      keys.push(e.key);
      const companion = companionKey(e);
      if (companion) keys.push(companion);
    }
    if (keys.length === 0) return;
    const op = kv.atomic();
    for (const k of keys) op.delete(k);
    await op.commit();
  }
}
