/**
 * @module
 * The one Chromium launcher of the tests: where Chromium is, the flags it runs with, and the two ways tests launch
 * it (a browser for several contexts, or a persistent context on a throwaway profile). Tests skip with a loud
 * warning when it is missing, except under `CI=true`, where they fail.
 */
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that work on this project's machines (closed network, root, no GPU). */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** True when the Chromium binary is present. */
export const haveChromium: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** True under CI, where a missing peer is a failure, not a skip. */
export const onCi: boolean = Deno.env.get("CI") === "true";

/** Options of {@link launchChromium} and {@link launchProfile}. */
export interface LaunchOptions {
  /** Host names (wildcards allowed, e.g. `*.localhost`) that Chromium resolves to 127.0.0.1. */
  loopbackHosts?: readonly string[];
}

/** The command-line flags of a launch: {@link CHROMIUM_FLAGS}, plus the loopback host rules when asked. */
export function chromiumArgs(opts: LaunchOptions = {}): string[] {
  const hosts = opts.loopbackHosts ?? [];
  if (hosts.length === 0) return [...CHROMIUM_FLAGS];
  return [...CHROMIUM_FLAGS, `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`];
}

/** Launches headless Chromium (one browser; the caller opens contexts and closes it). */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(opts) });
}

/** A persistent context on its own throwaway profile directory. */
export interface ProfileContext {
  context: BrowserContext;
  /** Closes the context and removes the profile directory (never throws). */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium as a persistent context on a fresh profile directory (named with `prefix`) with the
 * given viewport; `close()` removes the profile.
 */
export async function launchProfile(
  prefix: string,
  viewport: { width: number; height: number },
  opts: LaunchOptions = {},
): Promise<ProfileContext> {
  const profile = await Deno.makeTempDir({ prefix });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(opts),
    viewport,
  }).catch(async (err) => {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw err;
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
