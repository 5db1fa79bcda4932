/**
 * @module
 * Opening the KV store: a local SQLite file by default (one process per file), `:memory:` in tests, and the
 * platform's store on Deno Deploy (`path` null).
 */

/** Opens Deno KV at `path` (creating the parent directory of a file path), or the platform default when null. */
export async function openKv(path: string | null): Promise<Deno.Kv> {
  if (path === null) return await Deno.openKv();
  if (path !== ":memory:") {
    const dir = path.replace(/[^/]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  try {
    return await Deno.openKv(path);
  } catch (err) {
    if (String(err).includes("locked")) {
      throw new Error(`KV file ${path} is in use by another process: stop the running app first`, { cause: err });
    }
    throw err;
  }
}
