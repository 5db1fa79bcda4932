/**
 * @module
 * Where the browser tests find Chromium and how they launch it, in one place. Tests skip with a loud warning when it
 * is missing, except under `CI=true`, where they fail.
 */

/** Debian's Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that work on this project's machines (closed network, root, no GPU). */
export const CHROMIUM_FLAGS: string[] = [
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
