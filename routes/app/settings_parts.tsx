/**
 * @module
 * Building blocks of a wiki's settings page (routes/app/wiki_settings.tsx): how to connect an agent, a section, a
 * role picker, a usage meter and a connected app's effective access.
 */
import type { ComponentChildren } from "preact";
import { claudeCodeCommand, type ConnectedAppView, type WikiSettings } from "../../lib/platform/dashboard.ts";
import { ROLES } from "../../lib/auth/access.ts";
import type { Role } from "../../lib/wiki/types.ts";
import type { NewTokenFlash } from "./wiki_settings.tsx";
import { CopyValue } from "./ui.tsx";

/** How to connect agents: MCP URL, Claude.ai steps, Claude Code command (with the new token once). */
export function Connect({ data, flash }: { data: WikiSettings; flash: NewTokenFlash | null }) {
  const canMakeTokens = data.tokens !== null;
  return (
    <Section id="connect" title="Connect an agent">
      {flash
        ? (
          <div class="new-token" role="status">
            <h3>New token “{flash.label}”{flash.readOnly ? " (read-only)" : ""}</h3>
            <p>
              <strong>Copy it now: it is shown only once.</strong> We store only a fingerprint of it.
            </p>
            <CopyValue value={flash.token} label="New token" />
            <p>Add this wiki to Claude Code with it:</p>
            <CopyValue
              value={claudeCodeCommand(data.wiki.slug, data.mcpUrl, flash.token)}
              label="Claude Code command"
            />
          </div>
        )
        : null}
      <p>MCP URL of this wiki:</p>
      <CopyValue value={data.mcpUrl} label="MCP URL" />
      <div class="connect-grid">
        <div>
          <h3>Claude.ai</h3>
          <ol>
            <li>
              Open <strong>Settings → Connectors</strong>.
            </li>
            <li>
              Choose <strong>Add custom connector</strong> and paste the MCP URL.
            </li>
            <li>
              Select{" "}
              <strong>Connect</strong>. You sign in here and approve the access; Claude then reads and writes the wiki
              as you.
            </li>
          </ol>
        </div>
        <div>
          <h3>Claude Code</h3>
          <p>Run this in a terminal, with a token in place of &lt;token&gt;:</p>
          <CopyValue value={claudeCodeCommand(data.wiki.slug, data.mcpUrl)} label="Claude Code command" />
          <p class="muted">
            {canMakeTokens
              ? (
                <>
                  Create a token <a href="#tokens">below</a>; it is shown once.
                </>
              )
              : "Ask an admin of this wiki for a token."}
          </p>
        </div>
      </div>
    </Section>
  );
}

/** A titled section of the settings page (`danger`: the red deletion zone). */
export function Section(
  { id, title, danger = false, children }: { id: string; title: string; danger?: boolean; children: ComponentChildren },
) {
  return (
    <section id={id} class={danger ? "app-section danger-zone" : "app-section"} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

/** A select of the roles, `value` chosen. */
export function RoleSelect({ id, name, value, label }: { id?: string; name: string; value: Role; label?: string }) {
  return (
    <select id={id} name={name} aria-label={label}>
      {ROLES.map((r) => <option key={r} value={r} selected={r === value}>{r[0].toUpperCase() + r.slice(1)}</option>)}
    </select>
  );
}

/** A usage meter: `used` of `max`, with `text` and a percentage. */
export function Meter({ label, used, max, text }: { label: string; used: number; max: number; text: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((used / max) * 100)) : 0;
  return (
    <div class="usage">
      <div class="usage-head">
        <span>{label}</span>
        <span class="muted">{text} ({pct}%)</span>
      </div>
      <meter min={0} max={max} value={used} high={max * 0.9} aria-label={label}>{text}</meter>
    </div>
  );
}

/**
 * What a connected app may do now (its grant capped by the current role of the person who connected it), and, when
 * the role narrowed it, what was granted.
 */
export function AppAccess({ app }: { app: ConnectedAppView }) {
  const label = (scopes: readonly string[]) =>
    scopes.includes("wiki:write") ? "read & write" : scopes.includes("wiki:read") ? "read-only" : "no access";
  const effective = label(app.effectiveScopes);
  const granted = label(app.scopes);
  return (
    <>
      <span class="badge">{effective}</span>
      {effective !== granted
        ? (
          <span class="muted">
            {` (granted ${granted}; ${app.role ? `now a ${app.role}` : "no longer a member"})`}
          </span>
        )
        : null}
    </>
  );
}
