/**
 * @module
 * Links of an imported vault, rewritten to this wiki's forms in the second of two passes (the first names every note
 * and file of the archive, see {@link VaultIndex}):
 *
 * - `[[Note]]`, `[[Note|alias]]`, `[[Note#Heading]]`, `[[Folder/Note.md#Heading|alias]]` -> `[[Folder/Note#Heading|alias]]`
 *   (the target resolved as Obsidian does: by path from the vault root, then relative to the note's folder, then by
 *   unique name, shortest path first); `[[#Heading]]` -> `[[This/Note#Heading]]`.
 * - `![[Note]]` (a note embed, which this wiki does not transclude) -> `[[Folder/Note]]`.
 * - `![[image.png]]`, `![[image.png|alt]]`, `![[_attachments/Page/image.png]]` -> `![alt](…/-/attachment/Page/image.png)`
 *   and `[[file.pdf|text]]` -> `[text](…/-/attachment/Page/file.pdf)`: the file becomes an attachment of the page
 *   given by its `_attachments/{page}/` folder, else of the first note (in path order) that refers to it.
 *
 * - Markdown links and images to files of the archive, relative to the note (`![x](img/a.png)`, `[y](../Other.md)`,
 *   `[z](doc%20one.pdf)`): a file becomes an attachment as above, a note a WikiLink `[[Folder/Other|y]]`.
 *
 * Links that resolve to nothing are kept as written; links in code are never touched.
 */
import { findCodeRanges, overlapsAny } from "../wiki/text.ts";

/** The names of the archive: notes (vault path without `.md` -> page path) and other files. */
export interface VaultIndex {
  /** Lowercased vault path without `.md` -> page path. */
  notes: Map<string, string>;
  /** Lowercased note name (last segment) -> page paths, shortest first. */
  noteNames: Map<string, string[]>;
  /** Lowercased vault path of a file -> its vault path. */
  files: Map<string, string>;
  /** Lowercased file name -> vault paths, shortest first. */
  fileNames: Map<string, string[]>;
}

/** Where a file ends up: the page it is attached to and its attachment name. */
export interface FilePlacement {
  path: string;
  filename: string;
}

/** What the rewriter needs to place files: their owner so far, and how to claim one. */
export interface FileOwners {
  /** The placement of a vault file: fixed (under `_attachments/{page}/`), claimed by an earlier note, or claimed now. */
  place(vaultFile: string, claimant: string): FilePlacement | null;
  /** The URL a page uses for an attachment. */
  href(path: string, filename: string): string;
}

/** An empty index. */
export function newVaultIndex(): VaultIndex {
  return { notes: new Map(), noteNames: new Map(), files: new Map(), fileNames: new Map() };
}

/** Adds a note (vault path without `.md`) and the page it becomes. */
export function indexNote(index: VaultIndex, vaultPath: string, pagePath: string): void {
  index.notes.set(vaultPath.toLowerCase(), pagePath);
  addName(index.noteNames, lastSegment(vaultPath).toLowerCase(), pagePath);
}

/** Adds a file that is not a note. */
export function indexFile(index: VaultIndex, vaultPath: string): void {
  index.files.set(vaultPath.toLowerCase(), vaultPath);
  addName(index.fileNames, lastSegment(vaultPath).toLowerCase(), vaultPath);
}

function addName(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  list.push(value);
  list.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  map.set(key, list);
}

function lastSegment(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

const LINK = /(!?)\[\[([^[\]\n\r]+)\]\]/g;
/** An Obsidian embed size (`|300`, `|300x200`), not an alt text. */
const SIZE = /^\d+(x\d+)?$/;

/** Rewrites the links of one note (vault path `notePath`, page `pagePath`); see the module comment. */
export function rewriteVaultLinks(
  text: string,
  notePath: string,
  pagePath: string,
  index: VaultIndex,
  owners: FileOwners,
): string {
  const folder = notePath.includes("/") ? notePath.slice(0, notePath.lastIndexOf("/") + 1) : "";
  return rewriteMarkdownLinks(rewriteWikiLinks(text, folder, pagePath, index, owners), folder, pagePath, index, owners);
}

/** A Markdown link or image with a relative destination (no scheme, not site-absolute, not an anchor). */
const MD_LINK = /(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>:#?]+)>?\s*\)/g;

/** Rewrites Markdown links and images whose destination is a file or note of the archive. */
function rewriteMarkdownLinks(
  text: string,
  folder: string,
  pagePath: string,
  index: VaultIndex,
  owners: FileOwners,
): string {
  if (!text.includes("](")) return text;
  const code = findCodeRanges(text);
  return text.replace(MD_LINK, (whole, bang: string, label: string, dest: string, at: number) => {
    if (overlapsAny(code, at, at + whole.length) || dest.startsWith("/")) return whole;
    let vaultPath: string;
    try {
      vaultPath = joinRelative(folder, decodeURIComponent(dest));
    } catch {
      return whole;
    }
    if (/\.md$/i.test(vaultPath)) {
      const page = index.notes.get(vaultPath.slice(0, -3).toLowerCase());
      return page === undefined || bang ? whole : `[[${page}${label.trim() ? `|${label.trim()}` : ""}]]`;
    }
    const file = index.files.get(vaultPath.toLowerCase());
    const placed = file === undefined ? null : owners.place(file, pagePath);
    return placed === null ? whole : `${bang}[${label}](${owners.href(placed.path, placed.filename)})`;
  });
}

/** `folder` + a relative path, with `.` and `..` resolved; throws when it leaves the vault. */
function joinRelative(folder: string, rel: string): string {
  const out: string[] = folder.split("/").filter((s) => s !== "");
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) throw new Error("outside the vault");
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}

/** Rewrites the `[[…]]` and `![[…]]` links of a note. */
function rewriteWikiLinks(
  text: string,
  folder: string,
  pagePath: string,
  index: VaultIndex,
  owners: FileOwners,
): string {
  if (!text.includes("[[")) return text;
  const code = findCodeRanges(text);
  return text.replace(LINK, (whole, bang: string, inner: string, at: number) => {
    if (overlapsAny(code, at, at + whole.length)) return whole;
    const pipe = inner.indexOf("|");
    const left = (pipe < 0 ? inner : inner.slice(0, pipe)).trim();
    const label = pipe < 0 ? null : inner.slice(pipe + 1).trim() || null;
    const file = resolveFile(left, folder, index);
    if (file !== null) {
      const placed = owners.place(file, pagePath);
      if (placed === null) return whole;
      const url = owners.href(placed.path, placed.filename);
      const shown = label === null || (bang && SIZE.test(label)) ? placed.filename : label;
      return `${bang}[${escapeLabel(shown)}](${url})`;
    }
    const hash = left.indexOf("#");
    const target = (hash < 0 ? left : left.slice(0, hash)).trim();
    const anchor = hash < 0 ? "" : "#" + left.slice(hash + 1).trim();
    const page = target === "" ? pagePath : resolveNote(target, folder, index);
    if (page === null) return whole;
    return `[[${page}${anchor}${label === null ? "" : `|${label}`}]]`;
  });
}

/** The page a note reference names, or null. */
function resolveNote(target: string, folder: string, index: VaultIndex): string | null {
  const t = target.replace(/^\/+/, "").replace(/\.md$/i, "").toLowerCase();
  return index.notes.get(t) ?? index.notes.get((folder + t).toLowerCase()) ??
    (t.includes("/") ? null : index.noteNames.get(t)?.[0] ?? null);
}

/** The vault file a reference names (not a note), or null. */
function resolveFile(target: string, folder: string, index: VaultIndex): string | null {
  const t = target.replace(/^\/+/, "").toLowerCase();
  if (t.endsWith(".md")) return null;
  return index.files.get(t) ?? index.files.get((folder + t).toLowerCase()) ??
    (t.includes("/") ? null : index.fileNames.get(t)?.[0] ?? null);
}

/** Escapes brackets in a Markdown link label. */
function escapeLabel(s: string): string {
  return s.replace(/[[\]\\]/g, (c) => "\\" + c);
}
