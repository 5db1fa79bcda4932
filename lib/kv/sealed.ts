/**
 * @module
 * Values sealed at rest with AES-256-GCM, for KV records that hold secrets we must keep but never show (the ATProto
 * session's refresh token and DPoP private key). The AES key is derived with HKDF-SHA256 from a secret of the key
 * registry (lib/keys.ts) and a fixed `info` label, so production needs no new variable; each sealed value names the
 * kid of the secret it was sealed under, so a rotated secret's values stay readable while the registry keeps the
 * previous secret (the owner re-seals them under the current one on their next write). The additional authenticated
 * data binds a value to its record (e.g. its KV key), so a sealed value copied to another record does not open.
 */

/** A sealed value as stored: format version, secret kid, 12-byte IV, ciphertext with its GCM tag. */
export interface SealedValue {
  v: 1;
  kid: string;
  iv: Uint8Array;
  ct: Uint8Array;
}

/** One version of the secret the AES keys are derived from. */
export interface SecretVersion {
  kid: string;
  bytes: Uint8Array;
}

/** Seals and opens values under the current secret (any kept secret for opening). */
export interface Sealer {
  /** Seals `value` (JSON) bound to `aad`. */
  seal(value: unknown, aad: string): Promise<SealedValue>;
  /** The value sealed in `sealed` for `aad`; null when it does not open (tampered, other record, unknown kid). */
  open<T>(sealed: SealedValue, aad: string): Promise<T | null>;
}

/** True when a stored value is a {@link SealedValue}. */
export function isSealed(value: unknown): value is SealedValue {
  const v = value as Partial<SealedValue> | null;
  return typeof v === "object" && v !== null && v.v === 1 && typeof v.kid === "string" &&
    v.iv instanceof Uint8Array && v.ct instanceof Uint8Array;
}

/**
 * A sealer over the secret versions `versions()` returns (current first), deriving one AES-GCM key per kid with
 * HKDF (`info` names the purpose, so other uses of the same secret get unrelated keys). Derived keys are cached.
 */
export function createSealer(versions: () => readonly SecretVersion[], info: string): Sealer {
  const derived = new Map<string, Promise<CryptoKey>>();
  const keyFor = (v: SecretVersion) => {
    let key = derived.get(v.kid);
    if (!key) derived.set(v.kid, key = deriveAesKey(v.bytes, info));
    return key;
  };
  const encoder = new TextEncoder();
  return {
    async seal(value, aad) {
      const current = versions()[0];
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plain = encoder.encode(JSON.stringify(value));
      const ct = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
        await keyFor(current),
        plain,
      );
      return { v: 1, kid: current.kid, iv, ct: new Uint8Array(ct) };
    },
    async open<T>(sealed: SealedValue, aad: string): Promise<T | null> {
      const version = versions().find((v) => v.kid === sealed.kid);
      if (!version) return null;
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(aad) },
          await keyFor(version),
          sealed.ct as Uint8Array<ArrayBuffer>,
        );
        return JSON.parse(new TextDecoder().decode(plain)) as T;
      } catch {
        return null;
      }
    },
  };
}

/** The random secret of {@link ephemeralSealer}: one per process. */
const EPHEMERAL: SecretVersion = { kid: "ephemeral", bytes: crypto.getRandomValues(new Uint8Array(32)) };

/**
 * A sealer over a random secret that lives as long as the process (for code run without a key registry, such as
 * tests): values it seals open in this process only.
 */
export function ephemeralSealer(info: string): Sealer {
  return createSealer(() => [EPHEMERAL], info);
}

async function deriveAesKey(secret: Uint8Array, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, "HKDF", false, ["deriveKey"]);
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: new TextEncoder().encode(info) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}
