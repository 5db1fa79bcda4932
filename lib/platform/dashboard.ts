/**
 * @module
 * The data behind the dashboard's pages: the list of a person's wikis, and one wiki's settings (addresses, tokens,
 * connected apps, collaborators, visibility, usage). Pure reads; changes live in the sibling modules.
 */
import type { Role, Usage, Visibility, WikiRecord } from "../wiki/types.ts";
import type { TokenRecord } from "../auth/tokens.ts";
import type { ConnectedApp } from "../oauth/revoke.ts";
import type { WikiAccess } from "./access.ts";
import { can, effectiveRole, effectiveScopes, ownsWiki, type Scope } from "../auth/access.ts";
import { type Collaborator, handleOf, listCollaborators } from "./collaborators.ts";
import { ownedWikis } from "./wiki_lifecycle.ts";
import type { PlatformDeps } from "./deps.ts";

/** The three visibilities, in the order the dashboard shows them, with what each means. */
export const VISIBILITY_CHOICES: readonly { value: Visibility; label: string; help: string }[] = [
  { value: "private", label: "Private", help: "Only collaborators can read it." },
  { value: "logged_in", label: "Logged in", help: "Anyone signed in to robot.wtf can read it." },
  { value: "public", label: "Public", help: "Anyone on the web can read it." },
];

/** One wiki in the dashboard's list. */
export interface WikiSummary {
  slug: string;
  title: string;
  role: Role;
  isOwner: boolean;
  visibility: Visibility;
  wikiUrl: string;
  mcpUrl: string;
}

/** The dashboard's home: the person's wikis and whether they may create one. */
export interface Overview {
  wikis: WikiSummary[];
  owned: number;
  limit: number;
  canCreate: boolean;
}

/** A connected app with the handle of the person who connected it and what it may do now. */
export interface ConnectedAppView extends ConnectedApp {
  grantedBy: string | null;
  /** That person's current role on the wiki (null: no longer a member). */
  role: Role | null;
  /**
   * The effective access: the grant's scopes that the person's current role still allows (lib/auth/access.ts), as
   * the MCP endpoint applies them; narrower than `scopes` after a demotion.
   */
  effectiveScopes: Scope[];
}

/** Everything a wiki's settings page shows. Admin-only parts are null for other roles. */
export interface WikiSettings {
  wiki: WikiRecord;
  role: Role;
  isOwner: boolean;
  wikiUrl: string;
  mcpUrl: string;
  usage: Usage;
  tokens: TokenRecord[] | null;
  apps: ConnectedAppView[] | null;
  collaborators: Collaborator[] | null;
}

/** The wikis `did` owns or collaborates on, owned first, then by slug. */
export async function overview(deps: Pick<PlatformDeps, "wikis" | "urls" | "wikisPerUser">, did: string) {
  const rows = await deps.wikis.forUser(did);
  const wikis: WikiSummary[] = rows.map(({ wiki, role }) => ({
    slug: wiki.slug,
    title: wiki.title,
    role,
    isOwner: ownsWiki(wiki, did),
    visibility: wiki.visibility,
    wikiUrl: deps.urls.wiki(wiki.slug, "/"),
    mcpUrl: deps.urls.mcp(wiki.slug),
  })).sort((a, b) => Number(b.isOwner) - Number(a.isOwner) || (a.slug < b.slug ? -1 : 1));
  const { owned, limit, canCreate } = await ownedWikis(deps, did);
  return { wikis, owned: owned.length, limit, canCreate } satisfies Overview;
}

/** A wiki's settings page data for the person with `access`. */
export async function wikiSettings(deps: PlatformDeps, access: WikiAccess): Promise<WikiSettings> {
  const { wiki, role, isOwner } = access;
  const admin = can(access, "administer");
  const usage = await deps.wikis.pages(wiki).usage();
  let apps: ConnectedAppView[] | null = null;
  if (admin) {
    apps = [];
    const roles = new Map((await deps.wikis.members(wiki.id)).map((m) => [m.did, m.role]));
    for (const app of await deps.oauth.listGrants(wiki.id)) {
      const standing = { role: roles.get(app.did) ?? null, isOwner: ownsWiki(wiki, app.did) };
      apps.push({
        ...app,
        grantedBy: await handleOf(deps.kv, wiki.id, app.did),
        role: standing.role === null ? null : effectiveRole(standing.role, standing.isOwner),
        effectiveScopes: effectiveScopes(app.scopes, standing),
      });
    }
  }
  return {
    wiki,
    role,
    isOwner,
    wikiUrl: deps.urls.wiki(wiki.slug, "/"),
    mcpUrl: deps.urls.mcp(wiki.slug),
    usage,
    tokens: admin ? await deps.tokens.list(wiki.id) : null,
    apps,
    collaborators: admin ? await listCollaborators(deps, wiki) : null,
  };
}

/** The Claude Code command that connects an agent to a wiki with a bearer token. */
export function claudeCodeCommand(slug: string, mcpUrl: string, token = "<token>"): string {
  return `claude mcp add --transport http ${slug} ${mcpUrl} --header "Authorization: Bearer ${token}"`;
}
