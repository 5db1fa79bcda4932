/**
 * @module
 * The consent page of a wiki's authorization server: who asks (client name, where the browser goes back to, how
 * the client is identified), which wiki, which scopes, as which user, whether this user granted the client before,
 * and Approve / Deny. It is always shown and always needs a click (docs/oauth.md).
 */
import type { Scope } from "../../../lib/auth/principal.ts";
import type { ConsentView } from "../../../lib/oauth/consent.ts";
import type { Urls } from "../../../lib/urls.ts";
import type { Role, WikiRecord } from "../../../lib/wiki/types.ts";
import type { SessionUser } from "../../../lib/session/sessions.ts";
import { Layout } from "../../components/Layout.tsx";
import { formatDate, formatTime } from "../../components/format.ts";

/** What each scope lets an application do, in words for people. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  "wiki:read": "Read pages, their history, links and attachments",
  "wiki:write": "Create, edit, rename, delete and restore pages and attachments",
};

/** Props of {@link ConsentPage}. */
export interface ConsentPageProps {
  urls: Urls;
  wiki: WikiRecord;
  view: ConsentView;
  user: SessionUser;
  role: Role;
  /** The authorization server's clock (ms), for "expires in". */
  now: number;
}

/** The whole consent document. */
export function ConsentPage({ urls, wiki, view, user, role, now }: ConsentPageProps) {
  const who = user.displayName ? `${user.displayName} (@${user.handle})` : `@${user.handle}`;
  const minutes = Math.max(1, Math.round((view.expiresAt - now) / 60_000));
  return (
    <Layout title={`Connect ${view.clientName}?`} urls={urls} wiki={{ slug: wiki.slug, title: wiki.title }}>
      <section class="consent">
        <h1>
          Connect <span class="consent-client">{view.clientName}</span> to {wiki.title}?
        </h1>
        <p class="consent-lead">
          <strong>{view.clientName}</strong> asks to use the wiki <strong>{wiki.title}</strong>{" "}
          (<code>{urls.wikiBase(wiki.slug)}</code>) on your behalf, as <strong>{who}</strong>, {roleText(role)}.
        </p>
        <dl class="consent-facts">
          <dt>After you answer, your browser goes to</dt>
          <dd>
            <strong class="consent-host">{view.redirectHost}</strong>
          </dd>
          <dt>The application is identified by</dt>
          <dd>
            {view.metadataHost
              ? (
                <>
                  its metadata document at <strong>{view.metadataHost}</strong> (<code>{view.clientId}</code>)
                </>
              )
              : (
                <>
                  a registration it made itself (<code>{view.clientId}</code>): its name is not verified
                </>
              )}
          </dd>
          <dt>Agents will reach the wiki at</dt>
          <dd>
            <code>{view.resource}</code>
          </dd>
        </dl>
        {view.localhostOnly
          ? (
            <p class="notice consent-warning">
              This application only returns to addresses on this computer (localhost). Approve only if you started this
              connection from a program running on this computer.
            </p>
          )
          : null}
        <h2>It will be able to</h2>
        <ul class="consent-scopes">
          {view.grantableScopes.map((s) => (
            <li key={s}>
              {SCOPE_DESCRIPTIONS[s]} <code>{s}</code>
            </li>
          ))}
        </ul>
        {view.narrowed
          ? (
            <p class="notice consent-narrowed">
              It asked for {view.requestedScopes.join(" and ")}, but as {article(role)} {role}{" "}
              of this wiki you can grant{" "}
              {view.grantableScopes.length ? view.grantableScopes.join(" and ") : "none of it"}
              {view.grantableScopes.length ? " only" : ""}.
            </p>
          )
          : null}
        {view.prior
          ? (
            <p class="notice consent-prior">
              You granted {view.clientName} access to this wiki before ({view.prior.scopes.join(" and ")}, on{" "}
              {formatDate(view.prior.grantedAt)}). Approving replaces that grant: the tokens it issued stop working.
            </p>
          )
          : null}
        <form class="consent-form" method="post" action={urls.wiki(wiki.slug, "/authorize")}>
          <input type="hidden" name="request_id" value={view.requestId} />
          <input type="hidden" name="csrf" value={view.csrf} />
          <button type="submit" name="decision" value="approve" class="consent-approve">Approve</button>{" "}
          <button type="submit" name="decision" value="deny" class="consent-deny">Deny</button>
        </form>
        <p class="consent-meta">
          This request expires in about {minutes} minute{minutes === 1 ? "" : "s"} (at{" "}
          {formatTime(view.expiresAt)}). You can revoke access at any time from your robot.wtf dashboard.
        </p>
      </section>
    </Layout>
  );
}

function roleText(role: Role): string {
  return `where you are ${article(role)} ${role}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
