/**
 * @module
 * CSRF tokens for state-changing forms: an HMAC (key "csrf") over a binding that an attacker's page cannot know:
 * the browser's session id when logged in, otherwise a random per-browser nonce kept in a cookie. The form carries
 * the token in a hidden `csrf` field; the handler recomputes it. Rotation of the csrf key keeps old tokens valid
 * through the registry's previous secrets.
 */
import type { KeyRing } from "../keys.ts";
import { timingSafeEqual } from "../ids.ts";

/** Token for a form bound to `binding` and `purpose` (e.g. "consent", "wiki-settings"). */
export async function csrfToken(keys: KeyRing, binding: string, purpose: string): Promise<string> {
  return await keys.hmac("csrf", `${purpose}\n${binding}`);
}

/** True when `token` is the CSRF token for `binding` and `purpose` under the current or a previous key. */
export async function verifyCsrf(
  keys: KeyRing,
  binding: string,
  purpose: string,
  token: string | null | undefined,
): Promise<boolean> {
  if (!token || !binding || token.length > 128) return false;
  const expected = await keys.hmacAll("csrf", `${purpose}\n${binding}`);
  let ok = false;
  for (const candidate of expected) ok = timingSafeEqual(candidate, token) || ok;
  return ok;
}
