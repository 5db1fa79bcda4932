/**
 * @module
 * What the dashboard's domain code needs from the rest of the app, as narrow structural types: the wiki registry,
 * per-wiki tokens, the OAuth server's revocation calls, browser sessions, handle resolution and the wiki limit.
 * routes/app builds one from AppDeps; tests can pass fakes.
 */
import type { Wikis } from "../wiki/wikis.ts";
import type { WikiTokens } from "../auth/tokens.ts";
import type { OAuthServer } from "../oauth/server.ts";
import type { Sessions } from "../session/sessions.ts";
import type { IdentityResolver } from "../atproto/identity.ts";
import type { Urls } from "../urls.ts";

/** Dependencies of lib/platform's dashboard modules. */
export interface PlatformDeps {
  kv: Deno.Kv;
  urls: Urls;
  wikis: Wikis;
  tokens: WikiTokens;
  oauth: Pick<OAuthServer, "listGrants" | "revokeGrant" | "revokeAllForWiki" | "revokeAllForUser">;
  sessions: Pick<Sessions, "destroyAllForUser">;
  identity: Pick<IdentityResolver, "resolveHandle">;
  /** Wikis one person may own (config `wikisPerUser`). */
  wikisPerUser: number;
  /** Revokes the person's ATProto session at their PDS, when sign-in provides it (account deletion). */
  atprotoLogout?: (did: string) => Promise<void>;
  /** Clock (epoch ms). */
  now?: () => number;
}

/** The signed-in person acting in the dashboard. */
export interface DashboardUser {
  did: string;
  handle: string;
  displayName: string | null;
}
