/**
 * @module
 * The running app's heartbeat, so that `deno task backup` can tell whether the store is quiet. Deno KV has no
 * snapshot reads: a backup taken while the app writes may hold half of a multi-commit write (a wiki's pages and its
 * counters out of step). Every app process writes `["app_heartbeat", instance]` every {@link HEARTBEAT_INTERVAL_MS}
 * with an expiry of {@link HEARTBEAT_TTL_MS} and says whether it is in maintenance mode (`MAINTENANCE=1`: it answers
 * every request but `/healthz` with 503, so it writes nothing else). The backup refuses while an instance that is
 * not in maintenance has beaten within the TTL. A process that stops cleanly deletes its heartbeat.
 */
import { type KeyPrefix, parseKeyPrefixes } from "../kv/keys.ts";
import { randomBase32 } from "../ids.ts";

/** KV keys of heartbeats. */
export const HeartbeatKeys = {
  /** One app process's last sign of life. */
  beat: (instance: string) => ["app_heartbeat", instance] as const,
  /** Every process's. */
  all: () => ["app_heartbeat"] as const,
} as const;

/** The heartbeat prefix (registered in lib/platform/key_registry.ts). */
export const HEARTBEAT_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  global app_heartbeat  a running app process's last sign of life (expires)
`);

/** How often a process beats. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** How long a beat counts as alive (three missed beats). */
export const HEARTBEAT_TTL_MS = 90_000;

/** A heartbeat's value. */
export interface Heartbeat {
  instance: string;
  startedAt: number;
  /** Time of the last beat. */
  at: number;
  /** True when the process answers every request but /healthz with 503 (MAINTENANCE=1). */
  maintenance: boolean;
  expiresAt: number;
}

/** A beating heart. */
export interface HeartbeatHandle {
  readonly instance: string;
  /** Stops beating and deletes this process's heartbeat. */
  stop(): Promise<void>;
}

/** Options of {@link startHeartbeat}. */
export interface HeartbeatOptions {
  maintenance: boolean;
  intervalMs?: number;
  now?: () => number;
}

/** Writes a heartbeat now and every interval (unref'd timer); a failed beat is retried at the next one. */
export async function startHeartbeat(kv: Deno.Kv, opts: HeartbeatOptions): Promise<HeartbeatHandle> {
  const now = opts.now ?? Date.now;
  const instance = randomBase32(12);
  const startedAt = now();
  const beat = async () => {
    const at = now();
    const value: Heartbeat = {
      instance,
      startedAt,
      at,
      maintenance: opts.maintenance,
      expiresAt: at + HEARTBEAT_TTL_MS,
    };
    await kv.set(HeartbeatKeys.beat(instance), value, { expireIn: HEARTBEAT_TTL_MS });
  };
  await beat();
  const timer = setInterval(() => beat().catch(() => {}), opts.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  Deno.unrefTimer(timer);
  return {
    instance,
    async stop() {
      clearInterval(timer);
      await kv.delete(HeartbeatKeys.beat(instance));
    },
  };
}

/** The heartbeats alive at `now`. */
export async function liveHeartbeats(kv: Deno.Kv, now = Date.now()): Promise<Heartbeat[]> {
  const out: Heartbeat[] = [];
  for await (const e of kv.list<Heartbeat>({ prefix: HeartbeatKeys.all() }, { limit: 1000 })) {
    if (typeof e.value?.expiresAt === "number" && e.value.expiresAt > now) out.push(e.value);
  }
  return out;
}

/**
 * Why a backup of `kv` would not be consistent: a sentence naming the app processes that are alive and not in
 * maintenance mode, or null when the store is quiet.
 */
export async function writersRunning(kv: Deno.Kv, now = Date.now()): Promise<string | null> {
  const busy = (await liveHeartbeats(kv, now)).filter((h) => !h.maintenance);
  if (busy.length === 0) return null;
  const seen = busy.map((h) => `${h.instance} (last beat ${Math.round((now - h.at) / 1000)} s ago)`).join(", ");
  return `the app is running on this KV and may write during the backup: ${busy.length} process(es) ${seen}. ` +
    `Stop it (a killed process counts as running for ${HEARTBEAT_TTL_MS / 1000} s), or restart it with ` +
    "MAINTENANCE=1, or pass --force to back up anyway (possibly inconsistent)";
}
