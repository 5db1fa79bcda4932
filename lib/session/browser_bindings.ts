/**
 * @module
 * The two bindings of a browser's signed-out nonce (the `rw_csrf` cookie), made with the keyed-binding helper
 * (lib/session/binding.ts). They stop login CSRF: a sign-in or a hand-off started in one browser completes only in
 * a browser that holds the same nonce.
 *
 * - The LOGIN binding travels with a pending ATProto login (and its loopback transfer); the platform accepts the
 *   finished login only from the browser whose nonce it was made from (lib/platform/sign_in.ts).
 * - The HAND-OFF binding is what a wiki origin sends to the platform's `/auth/handoff` (`b=`); the code minted there
 *   redeems only in a browser that presents the same binding (lib/session/sessions.ts `redeemHandoff`).
 */
import type { KeyRing } from "../keys.ts";
import { BINDING_SHAPE, type KeyedBinding, keyedBinding } from "./binding.ts";

/** Purpose of the login binding. */
export const LOGIN_BINDING_PURPOSE = "login-binding";
/** Purpose of the hand-off binding. */
export const HANDOFF_BINDING_PURPOSE = "handoff-binding";
/** Shape of a hand-off binding (an HMAC-SHA256 in lowercase hex). */
export const HANDOFF_BINDING_SHAPE: RegExp = BINDING_SHAPE;

/** The login binding: ties a pending ATProto login to the browser's signed-out nonce. */
export function loginBinding(keys: Pick<KeyRing, "hmac" | "hmacAll">): KeyedBinding {
  return keyedBinding(keys, LOGIN_BINDING_PURPOSE);
}

/** The hand-off binding: ties a hand-off code to the browser that asked for it on a wiki origin. */
export function handoffBinding(keys: Pick<KeyRing, "hmac" | "hmacAll">): KeyedBinding {
  return keyedBinding(keys, HANDOFF_BINDING_PURPOSE);
}
