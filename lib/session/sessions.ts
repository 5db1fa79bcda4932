/**
 * @module
 * Browser sessions and the cross-host hand-off.
 *
 * A session is an opaque random id in an HttpOnly cookie; KV stores only its HMAC (key "session"), so a leaked
 * KV snapshot cannot be replayed as cookies. Sessions are per ORIGIN: the platform origin has the login session;
 * each wiki origin (subdomain mode, or the 127.0.0.1 loopback callback host in local development) gets a CHILD
 * session through a one-time hand-off code:
 *
 * 1. A wiki host without a session sends the browser to `{platform}/auth/handoff?to=<wiki URL>`.
 * 2. The platform, if logged in, mints a hand-off code (random, single use, 60 s, bound to the target origin and
 *    the platform session) and redirects to `{wiki origin}/-/auth/handoff?code=…&return_to=…`; if not logged in it
 *    answers "not logged in" the same way (`?handoff=none`), so a visitor is never stuck in a loop.
 * 3. The wiki origin redeems the code atomically and sets its own host-only cookie for a child session.
 *
 * A child session is valid only while its parent is: reading one is one `getMany([child, parent])`, so logging out
 * on the platform logs out every wiki host at once. In path mode wiki and platform share an origin and the
 * platform cookie serves directly. See docs/sessions.md.
 */
import type { KeyRing } from "../keys.ts";
import { randomToken } from "../ids.ts";
import { isLive } from "../kv/expiring.ts";

/** Lifetime of a platform login session. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Lifetime of a hand-off code. */
export const HANDOFF_TTL_MS = 60 * 1000;

/** The signed-in person a session belongs to. */
export interface SessionUser {
  did: string;
  handle: string;
  displayName: string | null;
}

/** A session record (stored under the HMAC of its id). */
export interface SessionRecord extends SessionUser {
  /** Origin the cookie belongs to. */
  origin: string;
  /** HMAC of the parent (platform) session id, for child sessions on other origins. */
  parent: string | null;
  createdAt: number;
  expiresAt: number;
}

/** A one-time hand-off code's record. */
interface HandoffRecord {
  parent: string;
  targetOrigin: string;
  returnTo: string;
  expiresAt: number;
}

/** KV keys of this module (also listed in docs/kv-schema.md). */
export const SessionKeys = {
  /** A session by the HMAC of its id. */
  session: (hash: string) => ["session", hash] as const,
  /** Index of a user's sessions, for logout everywhere and account deletion. */
  userSession: (did: string, hash: string) => ["user_session", did, hash] as const,
  /** A hand-off code by its HMAC. */
  handoff: (hash: string) => ["handoff", hash] as const,
};

/** Session operations. */
export interface Sessions {
  /** Creates a platform session; returns the raw id for the cookie. */
  create(user: SessionUser, origin: string): Promise<{ id: string; record: SessionRecord }>;
  /** Reads a live session for a cookie value presented on `origin` (child sessions need a live parent). */
  get(id: string | undefined, origin: string): Promise<SessionRecord | null>;
  /** Deletes a session; deleting a platform session also ends its children (they check the parent). */
  destroy(id: string): Promise<SessionRecord | null>;
  /** Deletes every session of a user (account deletion, logout everywhere). */
  destroyAllForUser(did: string): Promise<number>;
  /** Mints a hand-off code for a child session on `targetOrigin`, from a live platform session. */
  createHandoff(platformId: string, targetOrigin: string, returnTo: string): Promise<string | null>;
  /** Redeems a hand-off code on `origin` (single use); returns the new child session id and where to go. */
  redeemHandoff(code: string, origin: string): Promise<{ id: string; record: SessionRecord; returnTo: string } | null>;
}

/** Creates the session store. */
export function createSessions(deps: { kv: Deno.Kv; keys: KeyRing; now?: () => number }): Sessions {
  const { kv, keys } = deps;
  const now = deps.now ?? Date.now;
  const hash = (id: string) => keys.hmac("session", id);

  async function write(user: SessionUser, origin: string, parent: string | null, expiresAt: number) {
    const id = randomToken(32);
    const h = await hash(id);
    const record: SessionRecord = { ...user, origin, parent, createdAt: now(), expiresAt };
    const ttl = Math.max(1, expiresAt - now());
    const res = await kv.atomic()
      .check({ key: SessionKeys.session(h), versionstamp: null })
      .set(SessionKeys.session(h), record, { expireIn: ttl })
      .set(SessionKeys.userSession(user.did, h), { expiresAt }, { expireIn: ttl })
      .commit();
    if (!res.ok) throw new Error("session id collision");
    return { id, record };
  }

  return {
    create: (user, origin) => write(user, origin, null, now() + SESSION_TTL_MS),

    async get(id, origin) {
      if (!id || id.length > 200) return null;
      const h = await hash(id);
      const first = await kv.get<SessionRecord>(SessionKeys.session(h));
      const rec = first.value;
      if (!isLive(rec, now()) || rec.origin !== origin) return null;
      if (rec.parent === null) return rec;
      const parent = await kv.get<SessionRecord>(SessionKeys.session(rec.parent));
      return isLive(parent.value, now()) ? rec : null;
    },

    async destroy(id) {
      const h = await hash(id);
      const entry = await kv.get<SessionRecord>(SessionKeys.session(h));
      if (!entry.value) return null;
      await kv.atomic()
        .delete(SessionKeys.session(h))
        .delete(SessionKeys.userSession(entry.value.did, h))
        .commit();
      return entry.value;
    },

    async destroyAllForUser(did) {
      let n = 0;
      const keysToDelete: Deno.KvKey[] = [];
      for await (const e of kv.list({ prefix: ["user_session", did] })) {
        keysToDelete.push(e.key, SessionKeys.session(e.key[2] as string));
        n++;
      }
      for (let i = 0; i < keysToDelete.length; i += 500) {
        const op = kv.atomic();
        for (const k of keysToDelete.slice(i, i + 500)) op.delete(k);
        await op.commit();
      }
      return n;
    },

    async createHandoff(platformId, targetOrigin, returnTo) {
      const parentHash = await hash(platformId);
      const parent = await kv.get<SessionRecord>(SessionKeys.session(parentHash));
      if (!isLive(parent.value, now()) || parent.value.parent !== null) return null;
      const code = randomToken(32);
      const record: HandoffRecord = { parent: parentHash, targetOrigin, returnTo, expiresAt: now() + HANDOFF_TTL_MS };
      await kv.set(SessionKeys.handoff(await keys.hmac("session", "handoff:" + code)), record, {
        expireIn: HANDOFF_TTL_MS,
      });
      return code;
    },

    async redeemHandoff(code, origin) {
      if (!code || code.length > 200) return null;
      const key = SessionKeys.handoff(await keys.hmac("session", "handoff:" + code));
      const entry = await kv.get<HandoffRecord>(key);
      // Single use: delete under a versionstamp check, so two concurrent redemptions cannot both succeed.
      const consumed = await kv.atomic().check(entry).delete(key).commit();
      const h = entry.value;
      if (!consumed.ok || !isLive(h, now()) || h.targetOrigin !== origin) return null;
      const parent = await kv.get<SessionRecord>(SessionKeys.session(h.parent));
      if (!isLive(parent.value, now())) return null;
      const p = parent.value;
      const child = await write(
        { did: p.did, handle: p.handle, displayName: p.displayName },
        origin,
        h.parent,
        p.expiresAt,
      );
      return { ...child, returnTo: h.returnTo };
    },
  };
}
