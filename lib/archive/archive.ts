/**
 * @module
 * An uploaded or local archive opened for import: its checked directory (lib/archive/zip_read.ts), the limits that
 * follow from the target wiki (entries, sizes, bomb ratio), a single enclosing folder stripped (`vault/Note.md` ->
 * `Note.md`), and what is skipped on sight (`.obsidian/`, `.trash/`, `.git/`, `__MACOSX/`, `.DS_Store`).
 */
import type { Limits } from "../config.ts";
import type { WikiRecord } from "../wiki/types.ts";
import { ArchiveError } from "./archive_error.ts";
import { readZipDirectory, readZipEntry, type ZipEntry, type ZipLimits, type ZipSource } from "./zip_read.ts";
import { META_DIR } from "./export_format.ts";

/** An archive ready for planning. */
export interface Archive {
  src: ZipSource;
  /** Folder stripped from every name (`""` when none). */
  root: string;
  /** Files by their name inside the vault (root stripped), in name order. */
  files: Map<string, ZipEntry>;
  /** Entries skipped on sight (names inside the vault), with why. */
  skipped: { entry: string; reason: string }[];
}

/** Largest uncompressed / compressed ratio of a large entry (text deflates about 3-10 times). */
export const MAX_RATIO = 200;
/** Room for metadata files (history lines) beyond page and attachment sizes. */
const METADATA_BYTES = 64 * 1024 * 1024;

/**
 * The limits of an archive for `wiki`: entries up to three per page of its quota plus 1,000 (pages, attachments,
 * older contents), each file at most the attachment or page limit (metadata files up to 64 MiB), all files together
 * at most four times the storage quota plus 64 MiB (history is stored beyond the quota), ratio {@link MAX_RATIO}.
 */
export function archiveLimits(wiki: WikiRecord, limits: Limits): ZipLimits {
  return {
    maxEntries: Math.min(0xfffe, 3 * wiki.quota.pages + 1000),
    maxEntryBytes: Math.max(limits.maxAttachmentBytes, limits.maxPageBytes, METADATA_BYTES),
    maxTotalBytes: 4 * wiki.quota.bytes + METADATA_BYTES,
    maxRatio: MAX_RATIO,
  };
}

const SKIP: [RegExp, string][] = [
  [/^\.obsidian\//, "Obsidian settings"],
  [/^\.trash\//, "Obsidian trash"],
  [/^\.git\//, "git folder"],
  [/(^|\/)__MACOSX\//, "macOS resource fork"],
  [/(^|\/)\.DS_Store$/, "macOS folder metadata"],
];

/** Opens an archive: checks the directory (ArchiveError on anything hostile) and sorts its files. */
export async function openArchive(src: ZipSource, limits: ZipLimits): Promise<Archive> {
  const entries = (await readZipDirectory(src, limits)).filter((e) => !e.isDir);
  const root = commonRoot(entries.map((e) => e.name));
  const files = new Map<string, ZipEntry>();
  const skipped: { entry: string; reason: string }[] = [];
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = e.name.slice(root.length);
    const skip = SKIP.find(([re]) => re.test(name));
    if (skip) skipped.push({ entry: name, reason: skip[1] });
    else files.set(name, e);
  }
  return { src, root, files, skipped };
}

/** The one folder every file is in (`vault/`), or `""`. */
function commonRoot(names: string[]): string {
  if (names.length === 0 || !names[0].includes("/")) return "";
  const first = names[0].slice(0, names[0].indexOf("/") + 1);
  if (first === META_DIR + "/" || first === ".obsidian/" || first === "_attachments/") return "";
  return names.every((n) => n.startsWith(first)) ? first : "";
}

/** The bytes of a vault file. */
export async function readFile(archive: Archive, name: string): Promise<Uint8Array> {
  const e = archive.files.get(name);
  if (!e) throw new ArchiveError("corrupt", name, "the archive's metadata names this file, but the archive lacks it.");
  return await readZipEntry(archive.src, e);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A vault file as UTF-8 text; ArchiveError naming it when it is not UTF-8. */
export async function readTextFile(archive: Archive, name: string): Promise<string> {
  const bytes = await readFile(archive, name);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ArchiveError("bad_text", archive.root + name, "its text is not UTF-8.");
  }
}

/**
 * The largest upload an import accepts for `wiki`: twice its storage quota (an export carries its history beside
 * the current pages) plus the ordinary request limit, so any export of a wiki within its quota can come back in.
 */
export function uploadLimit(wiki: WikiRecord, limits: Limits): number {
  return 2 * wiki.quota.bytes + limits.maxBodyBytes;
}
