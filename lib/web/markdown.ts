/**
 * @module
 * Page Markdown to safe HTML: the frontmatter block is dropped, the body is rendered with markdown-it (raw HTML
 * off, so any tag in the source shows as text), WikiLinks become anchors, headings get `id` slugs, and the result
 * goes through a strict sanitize-html allow-list (no scripts, styles, frames, SVG, forms, event handlers or style
 * attributes; links only http, https, mailto or relative; images only http, https or relative).
 */
import MarkdownIt from "markdown-it";
import type { MarkdownIt as MarkdownItInstance, StateCore, StateInline, Token } from "markdown-it";
import sanitizeHtml from "sanitize-html";
import { parseFrontmatter } from "../wiki/frontmatter.ts";
import { findWikiLinks, type WikiLink } from "../wiki/wikilinks.ts";

/** Where a WikiLink points: the URL of the target page and whether that page exists. */
export interface LinkTarget {
  href: string;
  exists: boolean;
}

/** Options of {@link renderMarkdown}. */
export interface RenderOptions {
  /** Resolves a canonical WikiLink target (and its `#anchor`, if any) to a URL. */
  linkFor(target: string, anchor: string | null): LinkTarget;
}

/** Schemes a link may use; anything else (javascript:, data:, vbscript:, file:, ...) is dropped. */
const LINK_SCHEMES = ["http", "https", "mailto"];
/** Schemes an image may use: no data: URLs, no mailto:. */
const IMAGE_SCHEMES = ["http", "https"];
/** A URL scheme at the start of a link destination. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** Control characters and spaces, which browsers strip or ignore when they parse a URL's scheme. */
// deno-lint-ignore no-control-regex
const INVISIBLE = /[\x00-\x20\x7f]/g;
/** A WikiLink starting exactly at `lastIndex` (same shape as lib/wiki/wikilinks.ts). */
const WIKILINK_AT = /\[\[([^[\]\n\r]+)\]\]/y;
/** Characters dropped from heading slugs: everything but letters, numbers, marks, spaces, `-` and `_`. */
const SLUG_DROP = /[^\p{L}\p{N}\p{M}\s_-]/gu;
const TABLE_ALIGN = /^text-align:(left|center|right)$/;

/** Per-render state handed to markdown-it rules through its `env`. */
type RenderEnv = {
  linkFor: RenderOptions["linkFor"];
  /** Heading ids used so far, for de-duplication. */
  usedIds: Set<string>;
  /** Per base id, the first suffix not yet tried (so many equal headings cost one step each, not a rescan). */
  nextSuffix: Map<string, number>;
};

/** The subset of sanitize-html's options this module uses (the package ships no types). */
interface SanitizePolicy {
  allowedTags: string[];
  allowedAttributes: Record<string, string[]>;
  allowedClasses: Record<string, (string | RegExp)[]>;
  allowedSchemes: string[];
  allowedSchemesByTag: Record<string, string[]>;
  allowedSchemesAppliedToAttributes: string[];
  allowProtocolRelative: boolean;
  disallowedTagsMode: "discard";
  parseStyleAttributes: boolean;
}

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];
const ALIGN_CLASSES = ["align-left", "align-center", "align-right"];

/** The allow-list applied to every rendered page. */
const POLICY: SanitizePolicy = {
  allowedTags: [
    ...HEADINGS,
    "p",
    "br",
    "hr",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "s",
    "a",
    "img",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
  ],
  allowedAttributes: {
    ...Object.fromEntries(HEADINGS.map((h) => [h, ["id"]])),
    a: ["href", "title", "class", "rel"],
    img: ["src", "alt", "title", "loading", "referrerpolicy"],
    ol: ["start"],
    th: ["class"],
    td: ["class"],
    code: ["class"],
  },
  allowedClasses: {
    a: ["wikilink", "missing"],
    th: ALIGN_CLASSES,
    td: ALIGN_CLASSES,
    code: [/^language-[\w-]{1,40}$/],
  },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: { img: IMAGE_SCHEMES },
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  parseStyleAttributes: false,
};

const sanitize = sanitizeHtml as unknown as (html: string, policy: SanitizePolicy) => string;

const md = createRenderer();

/**
 * Renders page content (frontmatter block included or not) to sanitized HTML. WikiLinks outside code become
 * `<a class="wikilink">` (plus `missing` when the target page does not exist) pointing where `opts.linkFor` says.
 */
export function renderMarkdown(content: string, opts: RenderOptions): string {
  const { body } = parseFrontmatter(content);
  const env: RenderEnv = { linkFor: opts.linkFor, usedIds: new Set(), nextSuffix: new Map() };
  return sanitize(md.render(body, env), POLICY);
}

/**
 * The `id` a heading with this text gets (and so the fragment a `[[Page#Section]]` link should use): NFC,
 * lowercase, punctuation dropped, whitespace runs as `-`. `"Auth & Tokens"` gives `auth-tokens`; an empty result
 * gives `section`.
 */
export function headingId(text: string): string {
  const slug = text.normalize("NFC").toLowerCase().replace(SLUG_DROP, "").trim().replace(/[\s-]+/g, "-");
  return slug === "" ? "section" : slug;
}

/**
 * True when a link destination uses an allowed scheme or none (a relative URL). The check runs on the URL with
 * percent-escapes decoded and control characters and spaces removed, so `java%09script:` counts as `javascript:`.
 */
export function isSafeLinkUrl(url: string, schemes: readonly string[] = LINK_SCHEMES): boolean {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // keep the raw form: a malformed escape cannot hide a scheme
  }
  const m = decoded.replace(INVISIBLE, "").match(SCHEME);
  return m === null || schemes.includes(m[1].toLowerCase());
}

/** Builds the markdown-it instance with the wiki rules. */
function createRenderer(): MarkdownItInstance {
  const r = new MarkdownIt({ html: false, linkify: true, typographer: false });
  r.validateLink = (url: string) => isSafeLinkUrl(url);
  r.inline.ruler.before("link", "wikilink", wikiLinkRule);
  r.core.ruler.push("wiki_attributes", attributesRule);
  const defaultLinkOpen = r.renderer.rules.link_open ??
    ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  r.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const href = String(token.attrGet("href") ?? "");
    if (!token.meta?.wikilink && /^https?:/i.test(href)) token.attrSet("rel", "nofollow noopener");
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return r;
}

/** Inline rule: `[[Target]]`, `[[Target|text]]`, `[[Target#Section|text]]` at the current position. */
function wikiLinkRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x5b || state.src.charCodeAt(state.pos + 1) !== 0x5b) return false;
  WIKILINK_AT.lastIndex = state.pos;
  const m = WIKILINK_AT.exec(state.src);
  if (m === null || state.pos + m[0].length > state.posMax) return false;
  const link = findWikiLinks(m[0])[0];
  if (link === undefined) return false;
  if (!silent) {
    const env = state.env as unknown as RenderEnv;
    const { href, exists } = env.linkFor(link.target, link.anchor);
    const open = state.push("link_open", "a", 1);
    open.attrs = [["href", href], ["class", exists ? "wikilink" : "wikilink missing"]];
    if (!exists) open.attrPush(["title", `${link.target} (no such page yet)`]);
    open.meta = { wikilink: true };
    const text = state.push("text", "", 0);
    text.content = displayText(link);
    state.push("link_close", "a", -1);
  }
  state.pos += m[0].length;
  return true;
}

/** What a WikiLink shows: its display text, else the target (with `#anchor`). */
function displayText(link: WikiLink): string {
  if (link.text !== null) return link.text;
  return link.anchor === null ? link.target : `${link.target}#${link.anchor}`;
}

/** Core rule: heading ids, table alignment as classes (no style attributes), lazy no-referrer images. */
function attributesRule(state: StateCore): void {
  const env = state.env as unknown as RenderEnv;
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type === "heading_open") {
      token.attrSet("id", uniqueId(env, headingId(inlineText(tokens[i + 1]))));
    } else if (token.type === "th_open" || token.type === "td_open") {
      alignToClass(token);
    } else if (token.type === "inline") {
      for (const child of token.children ?? []) {
        if (child.type !== "image") continue;
        child.attrSet("loading", "lazy");
        child.attrSet("referrerpolicy", "no-referrer");
      }
    }
  }
}

/** Plain text of an inline token (text and code spans). */
function inlineText(token: Token | undefined): string {
  if (token === undefined || token.type !== "inline") return "";
  return (token.children ?? []).filter((t) => t.type === "text" || t.type === "code_inline").map((t) => t.content)
    .join("");
}

/** `id`, or `id-2`, `id-3`, ... when already used in this page. */
function uniqueId(env: RenderEnv, id: string): string {
  if (!env.usedIds.has(id)) {
    env.usedIds.add(id);
    return id;
  }
  // Every suffix below the stored one was taken when tried, and ids are never released: start from it.
  let n = env.nextSuffix.get(id) ?? 2;
  while (env.usedIds.has(`${id}-${n}`)) n++;
  env.nextSuffix.set(id, n + 1);
  env.usedIds.add(`${id}-${n}`);
  return `${id}-${n}`;
}

/** Replaces markdown-it's `style="text-align:x"` on table cells with the class `align-x`. */
function alignToClass(token: Token): void {
  const style = token.attrGet("style");
  if (style === null) return;
  token.attrs = (token.attrs ?? []).filter(([name]) => name !== "style");
  const m = String(style).match(TABLE_ALIGN);
  if (m) token.attrSet("class", `align-${m[1]}`);
}
