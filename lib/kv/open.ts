/**
 * @module
 * Opening the KV store: a local SQLite file by default (one process per file), `:memory:` in tests, a KV Connect
 * URL (a self-hosted `denokv` server that several app processes share; Deno reads its access token from
 * `DENO_KV_ACCESS_TOKEN`), and the platform's store on Deno Deploy (`path` null).
 */

/** A KV Connect URL (`http://` or `https://`): handed to `Deno.openKv` as it is. */
export const KV_CONNECT_URL = /^https?:\/\//i;

/** What {@link openKv} does I/O with (tests replace them). */
export interface OpenKvIo {
  /** Opens the store (default `Deno.openKv`). */
  open(path?: string): Promise<Deno.Kv>;
  /** Creates a directory and its parents (default `Deno.mkdir` with `recursive`). */
  mkdir(dir: string): Promise<void>;
}

const DENO_IO: OpenKvIo = {
  open: (path) => Deno.openKv(path),
  mkdir: (dir) => Deno.mkdir(dir, { recursive: true }),
};

/**
 * Opens Deno KV at `path`: a file path (creating its parent directory), `:memory:`, a KV Connect URL (passed through
 * unchanged, nothing created locally), or the platform default when null.
 */
export async function openKv(path: string | null, io: OpenKvIo = DENO_IO): Promise<Deno.Kv> {
  if (path === null) return await io.open();
  if (KV_CONNECT_URL.test(path)) return await io.open(path);
  if (path !== ":memory:") {
    const dir = path.replace(/[^/]*$/, "");
    if (dir) await io.mkdir(dir);
  }
  try {
    return await io.open(path);
  } catch (err) {
    if (String(err).includes("locked")) {
      throw new Error(`KV file ${path} is in use by another process: stop the running app first`, { cause: err });
    }
    throw err;
  }
}
