/**
 * @module
 * Shared setup of the archive tests: wikis on an in-memory KV (seeded like a new wiki, or not), the import target of
 * a wiki, zips built from a list of files, and an export read back as a map of names to bytes.
 */
import { DEFAULT_LIMITS, type Limits } from "../../lib/config.ts";
import { createWikis, type Wikis } from "../../lib/wiki/wikis.ts";
import type { StoreDeps } from "../../lib/wiki/store.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import type { ImportTarget } from "../../lib/archive/import_plan.ts";
import { exportWikiZip } from "../../lib/archive/export.ts";
import { ZipWriter } from "../../lib/archive/zip_write.ts";
import { bytesSource, readZipDirectory, readZipEntry } from "../../lib/archive/zip_read.ts";
import { ALICE } from "../wiki/store_helpers.ts";

export { ALICE };

/** An in-memory KV with a clock and the wiki records API. */
export interface ArchiveFixture {
  kv: Deno.Kv;
  deps: StoreDeps;
  wikis: Wikis;
  clock: { t: number };
  /** Creates a wiki (seeded with the starter pages unless `seed` is false). */
  wiki(slug: string, opts?: { seed?: boolean; quota?: { pages: number; bytes: number } }): Promise<WikiRecord>;
  /** The import target of a wiki. */
  target(wiki: WikiRecord): ImportTarget;
  close(): void;
}

/** Opens the fixture (`wrap`: a fault-injecting or counting store around the in-memory one). */
export async function archiveFixture(
  limits: Partial<Limits> = {},
  wrap: (kv: Deno.Kv) => Deno.Kv = (kv) => kv,
): Promise<ArchiveFixture> {
  const real = await Deno.openKv(":memory:");
  const kv = wrap(real);
  const clock = { t: 1_800_000_000_000 };
  let rev = 0;
  const deps: StoreDeps = {
    kv,
    limits: { ...DEFAULT_LIMITS, ...limits },
    now: () => (clock.t += 1000),
    revisionId: () => (++rev).toString(16).padStart(32, "0"),
  };
  const wikis = createWikis(deps, FOREIGN_WIKI_DATA);
  return {
    kv,
    deps,
    wikis,
    clock,
    async wiki(slug, opts = {}) {
      const w = await wikis.create({ slug, ownerDid: ALICE.id, seed: opts.seed ?? true }, ALICE);
      if (!opts.quota) return w;
      const fixed = { ...w, quota: opts.quota };
      await kv.set(["wiki", w.id], fixed);
      await kv.set(["wiki_slug", slug], { wikiId: w.id, record: fixed });
      return fixed;
    },
    target(wiki) {
      return {
        kv,
        wiki,
        pages: wikis.pages(wiki),
        limits: deps.limits,
        attachmentHref: (path, filename) =>
          `/w/${wiki.slug}/-/attachment/${
            path.split("/").map((s) => encodeURIComponent(s.replaceAll(" ", "_"))).join("/")
          }/` +
          encodeURIComponent(filename).replace(/[()]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()),
      };
    },
    close: () => real.close(),
  };
}

/** A zip of the given files (name -> text or bytes), in order. */
export async function makeZip(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const w = new ZipWriter();
  const parts: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    parts.push(...await w.add({ name, data: typeof data === "string" ? new TextEncoder().encode(data) : data }));
  }
  parts.push(...w.finish());
  return concat(parts);
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The whole export of a wiki as bytes. */
export async function exportBytes(kv: Deno.Kv, wiki: WikiRecord): Promise<Uint8Array> {
  return new Uint8Array(await new Response(exportWikiZip(kv, wiki)).arrayBuffer());
}

/** The files of a zip: name -> bytes. */
export async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const src = bytesSource(bytes);
  const limits = { maxEntries: 60000, maxEntryBytes: 1 << 30, maxTotalBytes: 2 ** 40, maxRatio: 1e9 };
  const out = new Map<string, Uint8Array>();
  for (const e of await readZipDirectory(src, limits)) out.set(e.name, await readZipEntry(src, e));
  return out;
}

/** A zip's file as text. */
export function text(files: Map<string, Uint8Array>, name: string): string {
  const b = files.get(name);
  if (!b) throw new Error(`no ${name} in the zip; it has ${[...files.keys()].join(", ")}`);
  return new TextDecoder().decode(b);
}
