/**
 * @module
 * CSRF tokens for state-changing forms: a keyed binding (lib/session/binding.ts, key "csrf", the form's purpose)
 * of a value that an attacker's page cannot know: the browser's session id when logged in, otherwise a random
 * per-browser nonce kept in a cookie. The form carries the token in a hidden `csrf` field; the handler recomputes
 * it. Rotation of the csrf key keeps old tokens valid through the registry's previous secrets.
 */
import type { KeyRing } from "../keys.ts";
import { keyedBinding } from "./binding.ts";

/** Token for a form bound to `binding` and `purpose` (e.g. "consent", "wiki-settings"). */
export async function csrfToken(
  keys: Pick<KeyRing, "hmac" | "hmacAll">,
  binding: string,
  purpose: string,
): Promise<string> {
  return await keyedBinding(keys, purpose).sign(binding);
}

/** True when `token` is the CSRF token for `binding` and `purpose` under the current or a previous key. */
export async function verifyCsrf(
  keys: Pick<KeyRing, "hmac" | "hmacAll">,
  binding: string,
  purpose: string,
  token: string | null | undefined,
): Promise<boolean> {
  return await keyedBinding(keys, purpose).verify(binding, token);
}
