/**
 * @module
 * The "Related pages" block of the page view: the pages closest in meaning to the page (lib/wiki/meaning/hybrid.ts
 * `relatedPages`), without those it links to or that link to it.
 */
import type { RelatedPage } from "../../lib/wiki/types.ts";
import type { WikiContext } from "./wiki_context.ts";

/** Pages listed in the block. */
export const RELATED_PAGES_SHOWN = 5;

/** The block, or nothing when no page is close enough. */
export function RelatedPages({ ctx, related }: { ctx: WikiContext; related: RelatedPage[] }) {
  if (related.length === 0) return null;
  return (
    <section class="related">
      <h2>Related pages</h2>
      <ul>
        {related.map((r) => (
          <li>
            <a href={ctx.urls.page(ctx.slug, r.path)}>{r.title}</a>
            {r.title !== r.path ? <span class="muted path">{r.path}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
