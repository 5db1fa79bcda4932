/**
 * @module
 * The two passes over an imported vault. Pass 1 ({@link layoutVault}) reads only names: which files are notes and
 * which page each becomes (renamed when its name is not a valid page path as it is; refused when it cannot be), which
 * are attachment files, and the index links resolve against. Pass 2 ({@link walkNotes}) reads each note in path
 * order, checks its size and encoding, and rewrites its links (lib/archive/vault_links.ts), placing each embedded file
 * on the first note that embeds it. The plan and the import run the same walk, so they agree.
 */
import { canonicalPath, FORBIDDEN_PATH_CHARS } from "../wiki/paths.ts";
import { sanitizeFilename } from "../wiki/attachments.ts";
import { type Archive, readTextFile } from "./archive.ts";
import { ArchiveError } from "./archive_error.ts";
import { ATTACHMENTS_DIR } from "./attachment_refs.ts";
import { GIT_BUNDLE_ENTRY, META_DIR } from "./export_format.ts";
import {
  type FileOwners,
  type FilePlacement,
  indexFile,
  indexNote,
  newVaultIndex,
  rewriteVaultLinks,
  type VaultIndex,
} from "./vault_links.ts";

/** A note and the page it becomes. */
export interface VaultNote {
  /** Its name in the vault. */
  entry: string;
  path: string;
  /** The name it had when its page path differs from it (besides `.md`), else null. */
  renamedFrom: string | null;
}

/** Something of the archive that will not be imported, and why. */
export interface EntryNote {
  entry: string;
  reason: string;
}

/** Result of pass 1. */
export interface VaultLayout {
  notes: VaultNote[];
  /** Files that are not notes (attachments to be). */
  files: string[];
  refused: EntryNote[];
  skipped: EntryNote[];
  index: VaultIndex;
}

/** Pass 1: names only. */
export function layoutVault(archive: Archive): VaultLayout {
  const layout: VaultLayout = {
    notes: [],
    files: [],
    refused: [],
    skipped: [...archive.skipped],
    index: newVaultIndex(),
  };
  const byPath = new Map<string, string>();
  for (const name of archive.files.keys()) {
    if (name.startsWith(META_DIR + "/")) continue;
    if (name === GIT_BUNDLE_ENTRY) {
      layout.skipped.push({ entry: name, reason: "git bundle of the history (clone it with git)" });
      continue;
    }
    if (!/\.md$/i.test(name) || name.startsWith(ATTACHMENTS_DIR + "/")) {
      layout.files.push(name);
      indexFile(layout.index, name);
      continue;
    }
    const stem = name.slice(0, -3);
    const path = pagePathOf(stem);
    if (path === null) {
      layout.refused.push({ entry: name, reason: "its name cannot be made a page path (too long, or no name left)" });
      continue;
    }
    const other = byPath.get(path);
    if (other !== undefined) {
      layout.refused.push({ entry: name, reason: `it would be the same page, "${path}", as ${other}` });
      continue;
    }
    byPath.set(path, name);
    layout.notes.push({ entry: name, path, renamedFrom: path === stem ? null : stem });
    indexNote(layout.index, stem, path);
  }
  return layout;
}

/** The page path of a vault name: canonical as it is, else with forbidden characters replaced; null when neither. */
export function pagePathOf(stem: string): string | null {
  for (const candidate of [stem, replaceForbidden(stem)]) {
    try {
      return canonicalPath(candidate);
    } catch {
      // try the next form
    }
  }
  return null;
}

function replaceForbidden(s: string): string {
  let out = s;
  for (const ch of FORBIDDEN_PATH_CHARS) out = out.replaceAll(ch, "-");
  // deno-lint-ignore no-control-regex
  return out.replace(/[\x00-\x1f\x7f]/g, "");
}

/**
 * Where files go: a file under `_attachments/{page}/` belongs to that page; any other to the first note that refers
 * to it. Names are sanitized and kept unique per page (`image~2.png`).
 */
export class Placements implements FileOwners {
  readonly #placed = new Map<string, FilePlacement>();
  readonly #names = new Map<string, Set<string>>();
  readonly href: (path: string, filename: string) => string;

  /** Placements that write URLs with `href`. */
  constructor(href: (path: string, filename: string) => string) {
    this.href = href;
  }

  /** The placement of a vault file, claiming it for `claimant` when it has none. */
  place(file: string, claimant: string | null): FilePlacement | null {
    const known = this.#placed.get(file);
    if (known) return known;
    const fixed = fixedPlacement(file);
    const page = fixed?.path ?? claimant;
    if (page === null) return null;
    let filename: string;
    try {
      filename = sanitizeFilename(fixed?.filename ?? file.slice(file.lastIndexOf("/") + 1));
    } catch {
      return null;
    }
    const used = this.#names.get(page) ?? new Set<string>();
    const dot = filename.lastIndexOf(".");
    const [base, ext] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ""];
    for (let n = 2; used.has(filename.toLowerCase()); n++) filename = `${base}~${n}${ext}`;
    used.add(filename.toLowerCase());
    this.#names.set(page, used);
    const placed = { path: page, filename };
    this.#placed.set(file, placed);
    return placed;
  }

  /** Every placed file. */
  all(): [string, FilePlacement][] {
    return [...this.#placed];
  }
}

/** The page and name of a file under `_attachments/{page path}/{name}`, or null. */
function fixedPlacement(file: string): FilePlacement | null {
  if (!file.startsWith(ATTACHMENTS_DIR + "/")) return null;
  const rest = file.slice(ATTACHMENTS_DIR.length + 1);
  const slash = rest.lastIndexOf("/");
  if (slash <= 0) return null;
  const path = pagePathOf(rest.slice(0, slash));
  return path === null ? null : { path, filename: rest.slice(slash + 1) };
}

/** One note of pass 2: its text with links rewritten, or why it is refused. */
export type WalkedNote = { note: VaultNote; text: string } | { note: VaultNote; refused: string };

/** Pass 2: each note in path order, read, checked and rewritten. Files under `_attachments/` are placed first. */
export async function* walkNotes(
  archive: Archive,
  layout: VaultLayout,
  owners: Placements,
  maxPageBytes: number,
): AsyncGenerator<WalkedNote> {
  for (const f of layout.files) if (f.startsWith(ATTACHMENTS_DIR + "/")) owners.place(f, null);
  for (const note of layout.notes) {
    const size = archive.files.get(note.entry)!.size;
    if (size > maxPageBytes) {
      yield { note, refused: `the page is ${size} bytes; the largest page this wiki holds is ${maxPageBytes} bytes` };
      continue;
    }
    let text: string;
    try {
      text = await readTextFile(archive, note.entry);
    } catch (err) {
      if (!(err instanceof ArchiveError && err.kind === "bad_text")) throw err;
      yield { note, refused: "its text is not UTF-8" };
      continue;
    }
    yield { note, text: rewriteVaultLinks(text, note.entry.slice(0, -3), note.path, layout.index, owners) };
  }
}
