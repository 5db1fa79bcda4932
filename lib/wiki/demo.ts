/**
 * @module
 * The public `demo` wiki: the seed pages plus a few linked example pages with frontmatter, so a fresh local
 * install has something to browse and search. Idempotent: pages that exist are left alone.
 */
import type { Wikis } from "./wikis.ts";
import { SEED_ACTOR } from "./seed.ts";

/** Slug of the demo wiki. */
export const DEMO_SLUG = "demo";
/** Owner of the demo wiki. */
export const DEMO_OWNER = "local:demo";

const DEMO_PAGES: { path: string; content: string }[] = [
  {
    path: "Projects/robot.wtf",
    content: `---
title: robot.wtf
category: project
tags: [wiki, agents, mcp]
---
# robot.wtf

A wiki that doubles as memory for AI agents. People edit pages in the browser; agents connect over MCP and use
the same pages to keep notes, record decisions and pick up where they left off.

## Decisions

- Pages are Markdown with optional frontmatter for category and tags.
- Every change is a revision, so agents can be trusted with edits: anything can be undone.
- Links use the \`[[Target|text]]\` form; renaming a page updates them everywhere.

## Related

- [[Ideas]] collects what might come next.
- [[Projects/robot.wtf/Roadmap|The roadmap]] lists what is planned.
- Back to [[Home]].
`,
  },
  {
    path: "Projects/robot.wtf/Roadmap",
    content: `---
category: project
tags: [planning]
---
# Roadmap

1. Sign in with an Atmosphere account.
2. Private wikis with members and roles.
3. Better search with filters by category and tag.

See [[Projects/robot.wtf]] for the background and [[Ideas]] for the long list.
`,
  },
  {
    path: "Ideas",
    content: `---
category: notes
tags: [ideas, backlog]
---
# Ideas

A scratch list. Move an idea to its own page once it grows beyond a line or two.

- Daily summaries of recent changes, written by an agent.
- A page template for meeting notes.
- Graph view of how pages link together.

Part of [[Projects/robot.wtf]].
`,
  },
];

/** Creates the public demo wiki with its pages if missing, and adds any missing example page. */
export async function seedDemoWiki(wikis: Wikis): Promise<void> {
  const wiki = await wikis.bySlug(DEMO_SLUG) ??
    await wikis.create(
      { slug: DEMO_SLUG, title: "Demo wiki", ownerDid: DEMO_OWNER, visibility: "public", seed: true },
      SEED_ACTOR,
    );
  const pages = wikis.pages(wiki);
  for (const page of DEMO_PAGES) {
    if ((await pages.read(page.path, { includeDeleted: true }).catch(() => null)) !== null) continue;
    await pages.write(page.path, page.content, { message: `Add example page ${page.path}` }, SEED_ACTOR);
  }
  const home = await pages.read("Home").catch(() => null);
  if (home && !home.links.includes("Ideas")) {
    const marker =
      "Add links to your own top-level pages here, so that people and agents can find them from this page.";
    if (home.content.includes(marker)) {
      await pages.edit("Home", {
        revision: home.revision,
        oldString: marker,
        newString: "- [[Projects/robot.wtf]]: the project this demo describes.\n- [[Ideas]]: a scratch list of ideas.",
        message: "Link the example pages",
      }, SEED_ACTOR);
    }
  }
}
