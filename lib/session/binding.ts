/**
 * @module
 * Keyed bindings: the one way the app ties a value to a purpose with a secret of the key registry (lib/keys.ts).
 * A binding is the HMAC-SHA256 (lowercase hex) of `purpose + "\n" + value` under the CURRENT secret of a symmetric
 * key ("csrf" unless told otherwise); verifying tries the current and every kept previous secret, all of them, in
 * constant time, so rotating the key (new current, old one kept in `previous`) invalidates nothing while the old
 * secret is kept.
 *
 * Users: CSRF tokens (lib/session/csrf.ts, value: the session id or the signed-out nonce), the login binding and
 * the hand-off binding (lib/session/browser_bindings.ts, value: the signed-out nonce). Purposes must differ between
 * uses: a binding made for one purpose never verifies for another.
 */
import type { KeyRing, SymmetricKeyName } from "../keys.ts";
import { timingSafeEqual } from "../ids.ts";

/** Longest presented binding `verify` looks at (an HMAC-SHA256 in hex has 64 characters). */
export const MAX_BINDING_CHARS = 128;

/** Shape of a binding: an HMAC-SHA256 in lowercase hex. */
export const BINDING_SHAPE = /^[0-9a-f]{64}$/;

/** A purpose's binding under one key of the registry. */
export interface KeyedBinding {
  /** The purpose this binding is made for. */
  readonly purpose: string;
  /** The binding of `value` under the current secret. */
  sign(value: string): Promise<string>;
  /** The bindings of `value` under the current and every previous secret (current first). */
  candidates(value: string): Promise<string[]>;
  /**
   * True when `presented` is the binding of `value` under the current or a previous secret. False for an empty
   * value, an empty or missing binding, or one longer than {@link MAX_BINDING_CHARS}.
   */
  verify(value: string | null | undefined, presented: string | null | undefined): Promise<boolean>;
}

/** The binding of `purpose` under the symmetric key `key` ("csrf" by default) of `keys`. */
export function keyedBinding(
  keys: Pick<KeyRing, "hmac" | "hmacAll">,
  purpose: string,
  key: SymmetricKeyName = "csrf",
): KeyedBinding {
  const data = (value: string) => `${purpose}\n${value}`;
  return {
    purpose,
    sign: (value) => keys.hmac(key, data(value)),
    candidates: (value) => keys.hmacAll(key, data(value)),
    async verify(value, presented) {
      if (!value || !presented || presented.length > MAX_BINDING_CHARS) return false;
      return matchesAny(presented, await keys.hmacAll(key, data(value)));
    },
  };
}

/** True when `expected` equals one of `candidates`; compares with every candidate, each in constant time. */
export function matchesAny(expected: string, candidates: readonly string[]): boolean {
  let ok = false;
  for (const candidate of candidates) ok = timingSafeEqual(candidate, expected) || ok;
  return ok;
}
