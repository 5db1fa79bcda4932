/**
 * @module
 * Wiki records: create (with seed pages), look up by slug or id, visibility, members and roles, delete.
 *
 * Creating and deleting take several commits and are safe to interrupt (lib/wiki/wiki_purge.ts): a seeded wiki's
 * pages are written before one commit makes the wiki visible, so a failed creation leaves nothing anyone can see;
 * a deletion hides the wiki in its first commit and its purge can be finished by deleting again.
 */
import type { Actor, Member, Role, Visibility, WikiRecord } from "./types.ts";
import type { PageStore, StoreDeps } from "./store.ts";
import { fitsKeyPart } from "../kv/keys.ts";
import { K, type SlugEntry } from "./keys.ts";
import { newId } from "../ids.ts";
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import { createPageStore } from "./page_store.ts";
import { forgetCatalog } from "./catalog.ts";
import { SEED_ACTOR, seedPages } from "./seed.ts";
import type { WikiState } from "./records.ts";
import { type PurgeMarker, purgeWiki, type WikiScopedData } from "./wiki_purge.ts";
import { OwnerLimitError, readOwnerCount } from "./owner_count.ts";

/** Wiki registry over Deno KV. */
export interface Wikis {
  /**
   * Creates a wiki with a unique slug (AlreadyExistsError if taken or recently deleted), seeding starter pages.
   * With `ownerLimit`, OwnerLimitError when the owner already owns that many wikis, decided in the commit that
   * publishes the wiki (lib/wiki/owner_count.ts), so concurrent creates cannot pass the limit.
   */
  create(
    input: {
      slug: string;
      title?: string;
      ownerDid: string;
      visibility?: Visibility;
      seed?: boolean;
      ownerLimit?: number;
    },
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
  /**
   * Deletes a wiki and everything under its id; its slug stays reserved for a cooling-off period. Deleting a wiki
   * whose deletion a failure interrupted finishes it.
   */
  delete(wikiId: string): Promise<void>;
  /**
   * For the wiki that had `slug` and was deleted by its owner `ownerDid` during the cooling-off period: finishes
   * its deletion if a failure interrupted it, and returns true (false when no such deletion exists).
   */
  finishDeletion(slug: string, ownerDid: string): Promise<boolean>;
}

/** How long a deleted wiki's slug stays reserved. */
export const SLUG_COOLING_OFF_MS = 30 * 24 * 60 * 60 * 1000;
/** Slug shape accepted here (the platform applies its own rules, e.g. reserved names, before calling create). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
/** Attempts of a publishing or deleting commit whose owner-count check failed (a concurrent create or delete). */
const COUNT_ATTEMPTS = 20;
const ROLES: readonly Role[] = ["admin", "editor", "viewer"];
const VISIBILITIES: readonly Visibility[] = ["private", "logged_in", "public"];

/** Value of `user_wiki`: the user's role on the wiki. */
export interface UserWikiEntry {
  role: Role;
}

/**
 * Creates the registry. `foreign` is what other parts of the app store under a wiki's id, in deletion order
 * (lib/platform/wiki_lifecycle.ts `FOREIGN_WIKI_DATA`): deleting a wiki deletes those too, first.
 */
export function createWikis(deps: StoreDeps, foreign: readonly WikiScopedData[]): Wikis {
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
      const ownerLimit = input.ownerLimit;
      const [existing, firstCount] = await Promise.all([
        kv.get<SlugEntry>(K.wikiSlug(slug)),
        readOwnerCount(kv, input.ownerDid),
      ]);
      if (ownerLimit !== undefined && firstCount.owned >= ownerLimit) {
        throw new OwnerLimitError(firstCount.owned, ownerLimit);
      }
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
      const empty: WikiState = { pages: 0, bytes: 0, seq: 0 };
      const taken = () =>
        new AlreadyExistsError(`The name "${slug}" was just taken by another wiki. Choose another name.`);
      /**
       * The commit that makes the wiki visible: record, slug, owner, and the owner's wiki count + 1. It fails if the
       * slug (or the `guard` entry) changed since it was read: the name was taken; a failure of the count's checks
       * (a concurrent create or delete by the same person) is read again, and refused at the limit.
       */
      const publish = async (
        extra: (op: Deno.AtomicOperation) => Deno.AtomicOperation,
        guard: Deno.AtomicCheck | null,
      ): Promise<void> => {
        let count = firstCount;
        for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
          if (attempt > 0) {
            const [slugNow, guardNow] = await Promise.all([
              kv.get(K.wikiSlug(slug)),
              guard === null ? null : kv.get(guard.key),
            ]);
            if (slugNow.versionstamp !== existing.versionstamp) throw taken();
            if (guard !== null && guardNow?.versionstamp !== guard.versionstamp) throw taken();
            count = await readOwnerCount(kv, input.ownerDid);
            if (ownerLimit !== undefined && count.owned >= ownerLimit) {
              throw new OwnerLimitError(count.owned, ownerLimit);
            }
          }
          const op = kv.atomic()
            .check({ key: K.wikiSlug(slug), versionstamp: existing.versionstamp })
            .check({ key: K.wiki(record.id), versionstamp: null })
            .set(K.wiki(record.id), record)
            .set(K.wikiSlug(slug), { wikiId: record.id, record } satisfies SlugEntry)
            .set(K.wikiMember(record.id, owner.did), owner)
            .set(K.userWiki(owner.did, record.id), { role: "admin" } satisfies UserWikiEntry);
          if (guard !== null) op.check(guard);
          if ((await extra(count.apply(op, +1)).commit()).ok) return;
          await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
        }
        throw new ConflictError("Wikis are being created very fast right now; try again in a moment.", null);
      };
      if (input.seed === false) {
        await publish((op) => op.set(K.wikiState(record.id), empty), null);
        return record;
      }
      // Seeded: the pages are written first, under a purge marker, while nothing points at the wiki; one commit
      // then publishes it and removes the marker. Interrupted, it leaves only invisible keys the sweeper removes.
      const marker: PurgeMarker = { kind: "create", slug, ownerDid: input.ownerDid, since: t };
      const staged = await kv.atomic()
        .check({ key: K.wikiState(record.id), versionstamp: null })
        .set(K.wikiState(record.id), empty)
        .set(K.wikiPurge(record.id), marker)
        .commit();
      if (!staged.ok) throw taken(); // cannot happen: the id is new
      try {
        const store = createPageStore(deps, record);
        for (const page of seedPages()) {
          await store.write(page.path, page.content, { message: page.message }, SEED_ACTOR);
        }
        await publish(
          (op) => op.delete(K.wikiPurge(record.id)),
          { key: K.wikiPurge(record.id), versionstamp: staged.versionstamp },
        );
      } catch (err) {
        // Best effort (the store may be the reason we are here): what is left is swept later. A publishing commit
        // that was applied although it reported a failure removed the marker, so nothing visible is purged.
        await purgeWiki(kv, record.id, foreign, now).catch(() => {});
        throw err;
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
      for await (const e of kv.list<Member>({ prefix: K.wikiMembers(wikiId) })) out.push(e.value);
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
      for await (const e of kv.list<UserWikiEntry>({ prefix: K.userWikis(did) })) {
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
      for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
        const [entry, pending] = await kv.getMany<[WikiRecord, PurgeMarker]>([K.wiki(wikiId), K.wikiPurge(wikiId)]);
        const wiki = entry.value;
        if (wiki === null) {
          // Gone already: finish a deletion a failure interrupted (the marker says there is one).
          if (pending.value?.kind !== "delete") throw new NotFoundError(`Wiki ${wikiId} does not exist.`);
          await purgeWiki(kv, wikiId, foreign, now);
          return;
        }
        const t = now();
        const tombstone: SlugEntry = {
          deletedAt: t,
          reclaimableAt: t + SLUG_COOLING_OFF_MS,
          wikiId,
          ownerDid: wiki.ownerDid,
        };
        const marker: PurgeMarker = { kind: "delete", slug: wiki.slug, ownerDid: wiki.ownerDid, since: t };
        const count = await readOwnerCount(kv, wiki.ownerDid);
        // One commit hides the wiki everywhere (later writes fail their state check, slug lookups find the
        // tombstone), takes it off its owner's wiki count and records that its keys are to be purged.
        const op = kv.atomic()
          .check(entry)
          .delete(K.wiki(wikiId))
          .delete(K.wikiState(wikiId))
          .set(K.wikiSlug(wiki.slug), tombstone, { expireIn: SLUG_COOLING_OFF_MS + 24 * 60 * 60 * 1000 })
          .set(K.wikiPurge(wikiId), marker);
        const res = await count.apply(op, -1).commit();
        if (!res.ok) continue; // the record or the owner's count changed meanwhile: read them again
        forgetCatalog(kv, wikiId);
        await purgeWiki(kv, wikiId, foreign, now);
        return;
      }
      throw new ConflictError("The wiki is busy with other changes; try deleting it again in a moment.", null);
    },

    async finishDeletion(slug, ownerDid) {
      const tomb = (await kv.get<SlugEntry>(K.wikiSlug(String(slug)))).value;
      if (tomb === null || "record" in tomb || tomb.ownerDid !== ownerDid) return false;
      const pending = (await kv.get<PurgeMarker>(K.wikiPurge(tomb.wikiId))).value;
      if (pending?.kind === "delete") await purgeWiki(kv, tomb.wikiId, foreign, now);
      return true;
    },
  };
}
