/**
 * @module
 * Sign-out, the one implementation behind both sign-out forms: the platform's `POST /auth/logout` and a wiki
 * host's `POST /-/auth/logout` (routes/auth/logout.ts). The form is confirmed by a CSRF token bound to the session
 * id; then the browser's session family ends (a wiki host's child session and its platform parent; a platform
 * session is a parent, and its children end with it) and the person's ATProto tokens are revoked.
 */
import type { KeyRing } from "../keys.ts";
import type { Sessions } from "./sessions.ts";
import { verifyCsrf } from "./csrf.ts";

/** CSRF purpose of the sign-out forms (platform and wiki). */
export const LOGOUT_PURPOSE = "logout";

/** What sign-out needs (AppDeps fits). */
export interface SignOutDeps {
  keys: Pick<KeyRing, "hmac" | "hmacAll">;
  sessions: Pick<Sessions, "destroyFamily">;
  /** The ATProto sign-in flow; `logout` revokes the person's tokens at their PDS. */
  atproto: { logout(did: string): Promise<void> };
}

/**
 * Signs out the browser holding `session` when `csrf` is its sign-out token: ends the session family and revokes
 * the ATProto tokens. False, with nothing done, when the token does not match.
 */
export async function signOut(
  deps: SignOutDeps,
  session: { id: string; record: { did: string } },
  csrf: string | null,
): Promise<boolean> {
  if (!(await verifyCsrf(deps.keys, session.id, LOGOUT_PURPOSE, csrf))) return false;
  await deps.sessions.destroyFamily(session.id);
  await deps.atproto.logout(session.record.did);
  return true;
}
