/**
 * @module
 * Command line for wikis and their MCP tokens, until the dashboard exists. Works on the app's KV file, which only
 * one process may open: stop the app first.
 *
 *   deno task wiki:create <slug> [--title T] [--owner local:me] [--public] [--read-only] [--label L]
 *   deno task token:create <slug> [--label L] [--read-only]
 *   deno run -A scripts/create_wiki.ts tokens <slug>            # list tokens
 *   deno run -A scripts/create_wiki.ts revoke <slug> <token id> # revoke one at once
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.ts";
import { openKv } from "../lib/kv/open.ts";
import { loadKeyRing } from "../lib/keys.ts";
import { Urls } from "../lib/urls.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import { createWikiTokens } from "../lib/auth/tokens.ts";
import { WikiError } from "../lib/errors.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";

const USAGE = `usage:
  create_wiki.ts wiki <slug> [--title T] [--owner local:NAME] [--public] [--read-only] [--label L]
  create_wiki.ts token <slug> [--label L] [--read-only]
  create_wiki.ts tokens <slug>
  create_wiki.ts revoke <slug> <token-id>`;

/** The `claude mcp add` line for a wiki and token. */
export function claudeCommand(slug: string, mcpUrl: string, token: string): string {
  return `claude mcp add --transport http ${slug}-wiki ${mcpUrl} --header "Authorization: Bearer ${token}"`;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      title: { type: "string" },
      owner: { type: "string" },
      label: { type: "string" },
      public: { type: "boolean" },
      "read-only": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [cmd, slug, tokenId] = positionals;
  if (values.help || !cmd || !slug || !["wiki", "token", "tokens", "revoke"].includes(cmd)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  let kv: Deno.Kv;
  try {
    kv = await openKv(config.kvPath);
  } catch (err) {
    if (String(err).includes("in use") || String(err).includes("locked")) {
      console.error(`The KV store ${config.kvPath} is in use by the running app: stop the app first, then retry.`);
      return 1;
    }
    throw err;
  }
  try {
    const keys = await loadKeyRing(kv, config);
    const urls = new Urls(config);
    const wikis = createWikis({ kv, limits: config.limits }, FOREIGN_WIKI_DATA);
    const tokens = createWikiTokens({ kv, keys });
    const actor = { id: values.owner ?? "local:cli", name: "cli", client: "cli" };
    let wiki = await wikis.bySlug(slug);
    if (cmd === "wiki") {
      if (wiki) {
        console.error(`A wiki called "${slug}" exists already; use "token ${slug}" for another token.`);
        return 1;
      }
      wiki = await wikis.create({
        slug,
        title: values.title,
        ownerDid: values.owner ?? "local:cli",
        visibility: values.public ? "public" : "private",
      }, actor);
      console.log(`Created wiki ${slug} (${wiki.id}) at ${urls.wikiBase(slug)}/`);
    }
    if (!wiki) {
      console.error(`There is no wiki called "${slug}". Create it with: deno task wiki:create ${slug}`);
      return 1;
    }
    if (cmd === "tokens") {
      for (const t of await tokens.list(wiki.id)) {
        const used = t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : "never";
        console.log(
          `${t.id}  ${t.scopes.join(",").padEnd(20)} ${t.label}  (created ${
            new Date(t.createdAt).toISOString()
          }, last used ${used})`,
        );
      }
      return 0;
    }
    if (cmd === "revoke") {
      if (!tokenId) {
        console.error(USAGE);
        return 2;
      }
      await tokens.revoke(wiki.id, tokenId);
      console.log(`Revoked ${tokenId}.`);
      return 0;
    }
    const { token, record } = await tokens.create(wiki, {
      label: values.label ?? "claude-code",
      readOnly: values["read-only"],
    });
    console.log(
      `Token ${record.id} (${record.scopes.join(" ")}, label "${record.label}"). Shown once; keep it secret:`,
    );
    console.log(`\n  ${token}\n`);
    console.log("Connect Claude Code:\n");
    console.log(`  ${claudeCommand(slug, urls.mcp(slug), token)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof WikiError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    kv.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
