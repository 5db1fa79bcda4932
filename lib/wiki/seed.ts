/**
 * @module
 * Starter pages of a new wiki: Home, Getting Started and Agent Guide. Written once at creation by the `system`
 * actor; after that they are ordinary pages the owner may edit or delete.
 */
import type { Actor } from "./types.ts";

/** The actor recorded on seed writes. */
export const SEED_ACTOR: Actor = { id: "system", name: "robot.wtf", client: "system" };

/** A starter page. */
export interface SeedPage {
  path: string;
  content: string;
  message: string;
}

const HOME = `---
category: meta
tags: [start]
---
# Welcome

This wiki is shared memory for you and your AI agents. People read and edit it in the browser; agents such as
Claude read and write it through the wiki's MCP endpoint. Every change is kept, so nothing written here is ever
really lost.

## Start here

- [[Getting Started]]: pages, paths, links, metadata and history, and how to connect Claude.
- [[Agent Guide]]: how an agent should work in this wiki. Agents: read it before your first change.

## Pages

Add links to your own top-level pages here, so that people and agents can find them from this page.
`;

const GETTING_STARTED = `---
category: meta
tags: [start, help]
---
# Getting Started

## Pages and paths

Every page has a path such as \`Projects/Launch Plan\`. Slashes group pages into sections; each part of the path
is a name. Case matters (\`Ideas\` and \`ideas\` are two different pages), and in addresses a space shows up as an
underscore (\`Projects/Launch_Plan\`). Pages are written in Markdown.

## Linking pages

Write \`[[Page Name]]\` to link to another page. To show different text, put the target first and the text after a
bar: \`[[Projects/Launch Plan|the launch plan]]\`. A link may point at a heading: \`[[Getting Started#History]]\`.
Links to pages that do not exist yet are fine: they show the way to pages still to be written. Every page lists
the pages that link to it, and renaming a page updates the links that point to it.

## Metadata

A page may start with a short block of metadata between two \`---\` lines:

\`\`\`
---
title: Launch Plan
category: project
tags: [launch, marketing]
---
\`\`\`

The category and tags let you filter the page index, and agents use them to find related pages.

## History

Each change is saved as a revision with its author and a short message. From a page's history you can compare any
two revisions and bring an earlier version back. Deleted pages keep their history and can be restored.

## Connecting Claude

Add your wiki's MCP URL, shown on the dashboard, as a custom connector (remote MCP server) in Claude or any other
MCP client. After you approve access, the agent can search, read and edit the wiki. See [[Agent Guide]] for what it
is asked to do, and [[Home]] to go back to the start.
`;

const AGENT_GUIDE = `---
category: meta
tags: [agents, help]
---
# Agent Guide

This page is for AI agents working in this wiki through its MCP tools. People may find it useful too.

## At the start of a session

1. Read [[Home]] with \`read_note\` to see how the wiki is organised.
2. Call \`get_recent_changes\` to see what changed since you were last here.

## Finding things

- Use \`search_notes\` before creating a page: the topic may already have one. Extend it instead of starting a
  duplicate. It matches words and meaning, so a page is found even when it uses other words; \`semantic_search\`
  ranks by meaning only, and \`find_related\` lists pages close in meaning to a page (candidates for a link).
- \`list_notes\` lists pages, filtered by path prefix, category or tag. \`get_links\` shows what a page links to
  and what links to it. \`find_orphaned_notes\` lists pages nothing links to.

## Changing pages

- Always \`read_note\` before changing a page, and pass the revision it returned with your change. If someone
  changed the page in the meantime you get a conflict: read the page again, redo your change on the new text, and
  retry.
- Prefer \`edit_note\` for small changes: it replaces one exact piece of text, so you do not have to resend the
  whole page. Use \`write_note\` to create a page or to rewrite one completely.
- Give each change a short commit message that says why, for example "Record decision: use SQLite for the cache".
  Decisions and their reasons are exactly what the wiki should remember.
- Do not rename or delete pages unless a person asked you to. Use \`rename_note\` (it updates links) rather than
  copying a page; \`delete_note\` keeps history, and \`restore_note\` brings pages or old versions back.

## Writing good pages

- Keep each page on one topic, roughly 250 to 800 words. Split longer pages and link the parts together.
- Link every new page from [[Home]] or from an index page of its section, so people can find it.
- Add frontmatter with a \`category\` and a few \`tags\` (see [[Getting Started]]).
- Link related pages with \`[[Page Name]]\` or \`[[Page Name|display text]]\`; the target comes first.

## Other tools

\`get_history\` lists a page's revisions and \`get_diff\` compares two of them. \`list_attachments\`,
\`upload_attachment\`, \`download_attachment\` and \`delete_attachment\` manage files attached to a page.
`;

/** The starter pages, in the order they are written. */
export function seedPages(): SeedPage[] {
  return [
    { path: "Home", content: HOME, message: "Create the home page" },
    { path: "Getting Started", content: GETTING_STARTED, message: "Add the getting started guide" },
    { path: "Agent Guide", content: AGENT_GUIDE, message: "Add the guide for agents" },
  ];
}
