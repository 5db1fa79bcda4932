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
 * platform cookie serves directly.
 *
 * A LOGIN TRANSFER carries a just-finished sign-in from the origin the ATProto callback landed on to the public
 * origin, when they differ (local development: the loopback client's callback lands on `127.0.0.1`): a one-time
 * code like a hand-off code, but it creates a top-level session on the target origin, bound to the browser that
 * started the sign-in. See docs/sessions.md.
 *
 * Session ids and codes are looked up by their HMAC under the current and every previous `session` secret
 * (`hmacAll`), so rotating that key does not sign anyone out.
 */
import type { KeyRing } from "../keys.ts";
import { randomToken } from "../ids.ts";
import { isLive } from "../kv/expiring.ts";
import { matchesAny } from "./binding.ts";
import { consumeCode, deleteSession, findSession, forgetUser, insertSession, putCode, readSession } from "./store.ts";

/** Lifetime of a platform login session. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Lifetime of a hand-off code. */
export const HANDOFF_TTL_MS = 60 * 1000;
/** Lifetime of a login transfer code. */
export const TRANSFER_TTL_MS = 60 * 1000;

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
  /** The browser binding the redeeming browser must present (empty: unbound, library callers only). */
  binding?: string;
  expiresAt: number;
}

/** A login transfer's record. */
interface TransferRecord {
  user: SessionUser;
  targetOrigin: string;
  returnTo: string;
  /** Opaque value the browser must present again at redemption (the route's login binding). */
  binding: string;
  expiresAt: number;
}

/** What a redeemed login transfer yields. */
export interface RedeemedTransfer {
  user: SessionUser;
  returnTo: string;
  binding: string;
}

/** Session operations. */
export interface Sessions {
  /** Creates a platform session; returns the raw id for the cookie. */
  create(user: SessionUser, origin: string): Promise<{ id: string; record: SessionRecord }>;
  /** Reads a live session for a cookie value presented on `origin` (child sessions need a live parent). */
  get(id: string | undefined, origin: string): Promise<SessionRecord | null>;
  /** Deletes a session; deleting a platform session also ends its children (they check the parent). */
  destroy(id: string): Promise<SessionRecord | null>;
  /** Signs out everywhere this browser is signed in: deletes the session and, for a child, its parent. */
  destroyFamily(id: string): Promise<SessionRecord | null>;
  /** Deletes every session of a user (account deletion, logout everywhere). */
  destroyAllForUser(did: string): Promise<number>;
  /**
   * Mints a hand-off code for a child session on `targetOrigin`, from a live platform session. `binding` ties the
   * code to the browser that asked for it on the target origin (the routes always pass one): only a redemption
   * presenting the same binding succeeds, so a code sent to someone else cannot sign them in (login CSRF).
   */
  createHandoff(platformId: string, targetOrigin: string, returnTo: string, binding?: string): Promise<string | null>;
  /**
   * Redeems a hand-off code on `origin` (single use); returns the new child session id and where to go. A bound code
   * needs its binding among `bindings` (the redeeming browser's, under every csrf secret); the code is consumed
   * either way.
   */
  redeemHandoff(
    code: string,
    origin: string,
    bindings?: readonly string[],
  ): Promise<{ id: string; record: SessionRecord; returnTo: string } | null>;
  /** Mints a login transfer code for `user` to `targetOrigin` (single use, {@link TRANSFER_TTL_MS}). */
  createTransfer(user: SessionUser, targetOrigin: string, returnTo: string, binding: string): Promise<string>;
  /** Redeems a login transfer code on `origin` (single use); the caller checks `binding` and creates the session. */
  redeemTransfer(code: string, origin: string): Promise<RedeemedTransfer | null>;
}

/** Creates the session store. */
export function createSessions(deps: { kv: Deno.Kv; keys: KeyRing; now?: () => number }): Sessions {
  const { kv, keys } = deps;
  const now = deps.now ?? Date.now;
  const hash = (id: string) => keys.hmac("session", id);

  /** The live-or-not entry of a session id under the current or a previous secret (current first). */
  async function lookup(id: string): Promise<{ hash: string; value: SessionRecord | null }> {
    const hashes = await keys.hmacAll("session", id);
    return (await findSession(kv, hashes)) ?? { hash: hashes[0], value: null };
  }

  /** Atomically consumes a one-time code's record (any secret); null when absent or already used. */
  async function consume<T>(kind: "handoff" | "transfer", code: string): Promise<T | null> {
    if (!code || code.length > 200) return null;
    return await consumeCode<T>(kv, kind, await keys.hmacAll("session", `${kind}:${code}`));
  }

  async function write(user: SessionUser, origin: string, parent: string | null, expiresAt: number) {
    const id = randomToken(32);
    const h = await hash(id);
    const record: SessionRecord = { ...user, origin, parent, createdAt: now(), expiresAt };
    if (!(await insertSession(kv, h, record))) throw new Error("session id collision");
    return { id, record };
  }

  return {
    create: (user, origin) => write(user, origin, null, now() + SESSION_TTL_MS),

    async get(id, origin) {
      if (!id || id.length > 200) return null;
      const rec = (await lookup(id)).value;
      if (!isLive(rec, now()) || rec.origin !== origin) return null;
      if (rec.parent === null) return rec;
      return isLive(await readSession(kv, rec.parent), now()) ? rec : null;
    },

    async destroy(id) {
      if (!id || id.length > 200) return null;
      const { hash: h, value } = await lookup(id);
      if (!value) return null;
      await deleteSession(kv, h, value.did);
      return value;
    },

    async destroyFamily(id) {
      if (!id || id.length > 200) return null;
      const { hash: h, value } = await lookup(id);
      if (!value) return null;
      await deleteSession(kv, h, value.did);
      if (value.parent !== null) {
        const parent = await readSession(kv, value.parent);
        if (parent) await deleteSession(kv, value.parent, parent.did);
      }
      return value;
    },

    destroyAllForUser: (did) => forgetUser(kv, did),

    async createHandoff(platformId, targetOrigin, returnTo, binding = "") {
      if (!platformId || platformId.length > 200) return null;
      const parent = await lookup(platformId);
      if (!isLive(parent.value, now()) || parent.value.parent !== null) return null;
      const code = randomToken(32);
      const record: HandoffRecord = {
        parent: parent.hash,
        targetOrigin,
        returnTo,
        binding,
        expiresAt: now() + HANDOFF_TTL_MS,
      };
      await putCode(kv, "handoff", await hash("handoff:" + code), record, HANDOFF_TTL_MS);
      return code;
    },

    async redeemHandoff(code, origin, bindings = []) {
      const h = await consume<HandoffRecord>("handoff", code);
      if (!isLive(h, now()) || h.targetOrigin !== origin) return null;
      if (h.binding && !matchesAny(h.binding, bindings)) return null;
      const p = await readSession(kv, h.parent);
      if (!isLive(p, now())) return null;
      const child = await write(
        { did: p.did, handle: p.handle, displayName: p.displayName },
        origin,
        h.parent,
        p.expiresAt,
      );
      return { ...child, returnTo: h.returnTo };
    },

    async createTransfer(user, targetOrigin, returnTo, binding) {
      const code = randomToken(32);
      const record: TransferRecord = { user, targetOrigin, returnTo, binding, expiresAt: now() + TRANSFER_TTL_MS };
      await putCode(kv, "transfer", await hash("transfer:" + code), record, TRANSFER_TTL_MS);
      return code;
    },

    async redeemTransfer(code, origin) {
      const t = await consume<TransferRecord>("transfer", code);
      if (!isLive(t, now()) || t.targetOrigin !== origin) return null;
      return { user: t.user, returnTo: t.returnTo, binding: t.binding };
    },
  };
}
