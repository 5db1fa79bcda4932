// Starts the real-PDS test peer: an in-memory PLC directory and an @atproto/pds, both on 127.0.0.1.
// Run with Node 22 from the directory that holds the installed node_modules (see install.sh), e.g.
//   node --import ./loopback-preload.mjs start.mjs --plc-port 2682 --pds-port 2683 --data-dir /tmp/pdsdata
// Prints one line `READY {"pdsUrl":...,"plcUrl":...}` when both serve, and stops cleanly on SIGTERM/SIGINT.
// Extra settings come from PDS_* environment variables (they override the defaults below).
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import * as plc from "@did-plc/server";
import { PDS } from "@atproto/pds";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`missing --${name}`);
  return fallback;
}

const plcPort = Number(arg("plc-port", "2682"));
const pdsPort = Number(arg("pds-port", "2683"));
const dataDir = arg("data-dir");
mkdirSync(`${dataDir}/blobs`, { recursive: true });

const defaults = {
  PDS_DEV_MODE: "true", // http publicUrl on localhost, no SSRF guard (it must reach 127.0.0.1 test apps)
  PDS_HOSTNAME: "localhost",
  PDS_PORT: String(pdsPort),
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: `${dataDir}/blobs`,
  PDS_JWT_SECRET: randomBytes(16).toString("hex"),
  PDS_ADMIN_PASSWORD: randomBytes(16).toString("hex"),
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: randomBytes(32).toString("hex"),
  PDS_DID_PLC_URL: `http://localhost:${plcPort}`,
  PDS_SERVICE_HANDLE_DOMAINS: ".test",
  PDS_INVITE_REQUIRED: "false",
  PDS_BSKY_APP_VIEW_URL: "https://appview.invalid",
  PDS_BSKY_APP_VIEW_DID: "did:example:invalid",
  PDS_CRAWLERS: "",
  LOG_ENABLED: "false",
};
for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;

const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPort });
await plcServer.start();
const pds = await PDS.fromEnv();
await pds.start();

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await pds.destroy();
    await plcServer.destroy();
  } finally {
    process.exit(0);
  }
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

console.log(
  "READY " + JSON.stringify({
    pdsUrl: pds.ctx.cfg.service.publicUrl,
    plcUrl: `http://localhost:${plcPort}`,
    pdsDid: pds.ctx.cfg.service.did,
  }),
);
