/**
 * @module
 * Shared pieces of the end-to-end sign-in tests: the app served on a real socket (http, or https with a private CA),
 * identity resolution against the local PDS peer, headless Chromium, the PDS's sign-in page, screenshots.
 */
import type { Browser, Page } from "playwright-core";
import { appFixture } from "../fixture/app.ts";
import { CHROMIUM, haveChromium, launchChromium as launch, onCi } from "../browser/chromium.ts";
import type { Config } from "../../lib/config.ts";
import { createIdentityResolver } from "../../lib/atproto/identity.ts";
import { createSafeFetch, type FetchLike, UNSAFE_ALLOW_LOOPBACK_FOR_TESTS } from "../../lib/net/safe_fetch.ts";
import type { PdsPeer } from "../peers/pds.ts";

/** Password of every test account. */
export const PASSWORD = "hunter2-correct-horse";
/** Where screenshots go (gitignored). */
export const SCREENSHOT_DIR = new URL("../../.tmp/screenshots/e2e/", import.meta.url).pathname;

/** True when the system Chromium is installed; otherwise warns (skip) or throws under CI=true. */
export function chromiumAvailable(): Promise<boolean> {
  if (haveChromium) return Promise.resolve(true);
  const message = `Chromium not installed at ${CHROMIUM}: \`apt-get install -y chromium\``;
  if (onCi) throw new Error(message);
  console.warn(`\n!!! SKIPPING end-to-end login test: ${message}\n`);
  return Promise.resolve(false);
}

/** Launches headless Chromium; loopback names (and `extraHosts`) resolve to 127.0.0.1. */
export async function launchChromium(extraHosts: string[] = []): Promise<Browser> {
  return await launch({ loopbackHosts: ["localhost", "*.localhost", ...extraHosts] });
}

/**
 * The SSRF-safe fetch with the test-only loopback opt-in and a resolver that knows only loopback names (no DNS
 * packet leaves the machine). Connections are pinned by the safe fetch itself (lib/net/pinned_client.ts).
 */
export function loopbackFetch(caCerts?: string[]): FetchLike {
  return createSafeFetch({
    env: "development",
    allowHttp: true,
    allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    caCerts,
    resolve: (host) =>
      host === "localhost" || host.endsWith(".localhost")
        ? Promise.resolve(["127.0.0.1"])
        : Promise.reject(new Error(`no DNS in tests: ${host}`)),
  });
}

/**
 * Identity resolution pointed at the peer (handles through its XRPC resolveHandle, DIDs through its PLC), with DNS
 * TXT and the HTTPS well-known kept off the network. Everything else of the sign-in (PAR, token, revocation) uses
 * what main.ts builds from the configuration (`ATPROTO_ALLOW_LOCAL_PDS`): the development path itself.
 */
export function peerOptions(peer: PdsPeer) {
  const identity = createIdentityResolver({
    fetch: loopbackFetch(),
    plcDirectoryUrl: peer.plcUrl,
    handleResolverServiceUrl: peer.pdsUrl,
    allowHttp: true,
    resolveTxt: () => Promise.resolve([]),
    handleWellKnownUrl: () => `${peer.pdsUrl}/.well-known/atproto-did`,
  });
  return { identity };
}

/** The app served on 127.0.0.1:`port` (TLS when `tls` is given). */
export async function serveApp(
  config: Config,
  peer: PdsPeer,
  port: number,
  tls?: { cert: string; key: string },
) {
  const f = await appFixture({
    config,
    app: peerOptions(peer),
    serve: { port, tls, through: (req, app, info) => app.fetch(req, info) },
  });
  return { app: f.app, kv: f.kv, close: () => f.close() };
}

/** Signs in at the PDS's page (identifier pre-filled from the login hint) and authorizes the app. */
export async function signInAtPds(page: Page, password = PASSWORD): Promise<void> {
  await page.getByPlaceholder("Enter your password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Authorize" }).click();
}

/** Saves a full-page screenshot at desktop width and at 390 px (phone), as `{name}-desktop.png` / `{name}-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-phone.png`, fullPage: true });
  await page.setViewportSize(size);
}

/**
 * A throwaway private CA and a leaf certificate for `host` (EC P-256), made with the openssl CLI. Several names
 * (e.g. `["localhost", "alice.localhost"]`) all go into the subject alternative names; the first is the CN.
 */
export async function makeTestCertificates(host: string | readonly string[]) {
  const names = typeof host === "string" ? [host] : host;
  const dir = await Deno.makeTempDir({ prefix: "robot-wtf-e2e-tls-" });
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
    if (!out.success) throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=robot-e2e-ca");
  await run("req", ...ec, "-keyout", "app.key", "-out", "app.csr", "-subj", `/CN=${names[0]}`);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    `subjectAltName=${
      names.map((n) => `DNS:${n}`).join(",")
    }\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await run(
    "x509",
    "-req",
    "-in",
    "app.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "app.crt",
  );
  return {
    dir,
    caFile: `${dir}/ca.crt`,
    ca: await Deno.readTextFile(`${dir}/ca.crt`),
    cert: await Deno.readTextFile(`${dir}/app.crt`),
    key: await Deno.readTextFile(`${dir}/app.key`),
  };
}
