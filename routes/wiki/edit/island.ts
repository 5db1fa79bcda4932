/**
 * @module
 * The URL of the editor's optional browser script (static/js/editor.js, built from islands/editor.ts by
 * scripts/build_islands.ts), versioned by a hash of its content, or null while it has not been built: the editor
 * works without it.
 */
import { fileURLToPath } from "node:url";
import type { Urls } from "../../../lib/urls.ts";

const BUNDLE = fileURLToPath(new URL("../../../static/js/editor.js", import.meta.url));
let version: string | null = null;

/** `{wiki}/static/js/editor.js?v={hash}` (served from the wiki's own origin), or null when not built. */
export function editorScriptUrl(urls: Urls, slug: string): string | null {
  version ??= bundleVersion();
  return version === null ? null : urls.wiki(slug, `/static/js/editor.js?v=${version}`);
}

/** FNV-1a hash (hex) of the bundle, or null when it does not exist. */
function bundleVersion(): string | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(BUNDLE);
  } catch {
    return null;
  }
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16);
}
