/**
 * @module
 * How pages refer to attachments, and the Obsidian form of the same reference. In this wiki a page shows or links an
 * attachment with a Markdown image or link to its download URL, `…/-/attachment/{page path}/{file name}` (what the
 * attachments page's "Download" link gives: relative to the site, or absolute with any origin and `/w/{slug}`
 * prefix). In an exported vault the files live at `_attachments/{page path}/{file name}` and the references become
 * Obsidian embeds and links: `![alt](…/-/attachment/A/x.png)` -> `![[_attachments/A/x.png|alt]]`, `[text](…)` ->
 * `[[_attachments/A/x.pdf|text]]`. Import turns them back (lib/archive/vault_links.ts). References inside code are
 * left alone.
 */
import { findCodeRanges, overlapsAny } from "../wiki/text.ts";
import { canonicalPath } from "../wiki/paths.ts";

/** The folder of attachments in an exported vault. */
export const ATTACHMENTS_DIR = "_attachments";

/** A Markdown image or link whose URL names an attachment download. */
const ATTACHMENT_REF = /(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>]*?\/-\/attachment\/([^()\s<>?#]+))>?\s*\)/g;
/** Characters an Obsidian link target cannot hold. */
const OBSIDIAN_FORBIDDEN = /[[\]|#^]/;

/** The attachment a download URL tail (`{encoded page path}/{encoded file name}`) names, or null. */
export function parseAttachmentTail(tail: string): { path: string; filename: string } | null {
  const slash = tail.lastIndexOf("/");
  if (slash <= 0 || slash === tail.length - 1) return null;
  try {
    const path = canonicalPath(tail.slice(0, slash).split("/").map((s) => decodeURIComponent(s)).join("/"));
    const filename = decodeURIComponent(tail.slice(slash + 1));
    return { path, filename };
  } catch {
    return null;
  }
}

/** The vault file of an attachment: `_attachments/{page path}/{file name}`. */
export function attachmentFile(path: string, filename: string): string {
  return `${ATTACHMENTS_DIR}/${path}/${filename}`;
}

/** Rewrites this wiki's attachment references to Obsidian embeds and links (see the module comment). */
export function toObsidianRefs(markdown: string): string {
  if (!markdown.includes("/-/attachment/")) return markdown;
  const code = findCodeRanges(markdown);
  return markdown.replace(ATTACHMENT_REF, (whole, bang: string, text: string, _url, tail: string, at: number) => {
    if (overlapsAny(code, at, at + whole.length)) return whole;
    const ref = parseAttachmentTail(tail);
    if (ref === null || OBSIDIAN_FORBIDDEN.test(ref.filename) || OBSIDIAN_FORBIDDEN.test(text)) return whole;
    const label = text.trim() === "" ? "" : `|${text.trim()}`;
    return `${bang}[[${attachmentFile(ref.path, ref.filename)}${label}]]`;
  });
}

/**
 * The reference an imported page writes for an attachment: the site-relative path of its download URL (`urls`'s
 * absolute one without the origin, so it survives a change of host), with parentheses escaped so it stays one
 * Markdown link destination.
 */
export function attachmentHref(absoluteUrl: string): string {
  return new URL(absoluteUrl).pathname.replace(/[()]/g, (c) => (c === "(" ? "%28" : "%29"));
}
