/**
 * @module
 * Everything the app stores under a wiki's id outside the wiki core, as the parts that own it describe it: the
 * wiki registry (lib/wiki/wikis.ts) and the maintenance sweeper delete these with a wiki, credentials first, without
 * knowing their layout. A part that adds records keyed by a wiki id adds its description here.
 */
import type { WikiScopedData } from "../wiki/wiki_purge.ts";
import { WIKI_TOKEN_DATA } from "../auth/tokens.ts";
import { OAUTH_WIKI_DATA } from "../oauth/keys.ts";

/** The per-wiki tokens and the OAuth records of a wiki, in deletion order. */
export const FOREIGN_WIKI_DATA: readonly WikiScopedData[] = [WIKI_TOKEN_DATA, OAUTH_WIKI_DATA];
