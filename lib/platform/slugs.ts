/**
 * @module
 * Wiki slug rules (the slug is the wiki's public name: `{slug}.robot.wtf`), as in the existing service:
 * 3-30 characters of `a-z0-9-`, no hyphen at either end, not a reserved name. Input is lowercased first.
 */

/** Names no wiki may take (service hostnames and words that would mislead). */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "admin",
  "api",
  "app",
  "assets",
  "auth",
  "billing",
  "blog",
  "dev",
  "docs",
  "ftp",
  "git",
  "help",
  "imap",
  "mail",
  "mcp",
  "ns",
  "ns1",
  "ns2",
  "null",
  "pop",
  "smtp",
  "ssh",
  "static",
  "status",
  "support",
  "undefined",
  "user",
  "vpn",
  "wiki",
  "www",
  "demo",
]);

/** Result of checking a slug: the normalized slug, or a message saying what to change. */
export type SlugCheck = { ok: true; slug: string } | { ok: false; message: string };

/** Checks a proposed slug. */
export function checkSlug(input: string): SlugCheck {
  const slug = input.trim().toLowerCase();
  if (slug.length < 3) return { ok: false, message: "The wiki name must be at least 3 characters." };
  if (slug.length > 30) return { ok: false, message: "The wiki name must be at most 30 characters." };
  if (!/^[a-z0-9-]+$/.test(slug)) {
    return { ok: false, message: "The wiki name may contain only lowercase letters, digits, and hyphens." };
  }
  if (slug.startsWith("-") || slug.endsWith("-")) {
    return { ok: false, message: "The wiki name must not start or end with a hyphen." };
  }
  if (RESERVED_SLUGS.has(slug)) return { ok: false, message: `The wiki name "${slug}" is reserved.` };
  return { ok: true, slug };
}

/**
 * A default slug from a handle: its first label, lowercased, stripped of characters outside `a-z0-9-`, hyphens
 * trimmed, "wiki" appended when shorter than 3, cut to 30; "" when the result is not a valid slug.
 */
export function defaultSlugFromHandle(handle: string): string {
  let s = handle.replace(/^@/, "").split(".")[0].toLowerCase().replace(/[^a-z0-9-]/g, "").replace(/^-+|-+$/g, "");
  if (s.length < 3) s = `${s}wiki`;
  s = s.slice(0, 30).replace(/-+$/g, "");
  const check = checkSlug(s);
  return check.ok ? check.slug : "";
}
