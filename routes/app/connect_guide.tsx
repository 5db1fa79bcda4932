/**
 * @module
 * Setup that works the first time, on a wiki's settings page: step-by-step for ChatGPT and for Claude Code with
 * OAuth (the Claude.ai steps and the token command are in settings_parts.tsx `Connect`), and "test the connection",
 * which runs `initialize` + `tools/list` against the wiki's MCP endpoint with a token that lives only for the check
 * (lib/platform/connection_check.ts) and shows the result.
 *
 * | Route                                  | Does                                        |
 * | -------------------------------------- | ------------------------------------------- |
 * | `POST /app/wikis/:slug/connect/check`  | test the connection (CSRF); shows the result |
 */
import type { Context } from "hono";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { accessWiki } from "../../lib/platform/access.ts";
import { checkConnection } from "../../lib/platform/connection_check.ts";
import { can } from "../../lib/auth/access.ts";
import { currentUser, settingsPath } from "./context.ts";
import { AppPage, CopyButtons, CopyValue, PostForm } from "./ui.tsx";
import { Section } from "./settings_parts.tsx";

/** The Claude Code command that connects with OAuth (Claude Code opens the browser to sign in on `/mcp`). */
export function claudeCodeOAuthCommand(slug: string, mcpUrl: string): string {
  return `claude mcp add --transport http ${slug} ${mcpUrl}`;
}

/** The path of the connection check of a wiki. */
export function checkPath(slug: string): string {
  return `${settingsPath(slug)}/connect/check`;
}

/** ChatGPT and Claude Code (OAuth) steps, the "test the connection" button, and the copy buttons' script. */
export function ConnectGuide(
  { slug, mcpUrl, token, nonce }: { slug: string; mcpUrl: string; token: string; nonce: string },
) {
  return (
    <Section id="connect-more" title="More ways to connect, and a test">
      <CopyButtons nonce={nonce} />
      <div class="connect-grid">
        <div>
          <h3>Claude Code, signing in</h3>
          <p>Without a token: add the wiki, then sign in from Claude Code.</p>
          <CopyValue value={claudeCodeOAuthCommand(slug, mcpUrl)} label="Claude Code command (OAuth)" />
          <ol>
            <li>
              Start <code>claude</code> and type <code>/mcp</code>.
            </li>
            <li>
              Choose <strong>{slug}</strong>, then{" "}
              <strong>Authenticate</strong>: the browser opens this wiki's consent page. Approve, and Claude Code keeps
              the tokens fresh.
            </li>
          </ol>
        </div>
        <div>
          <h3>ChatGPT</h3>
          <ol>
            <li>
              Open <strong>Settings → Apps &amp; Connectors → Advanced settings</strong> and turn on{" "}
              <strong>Developer mode</strong>.
            </li>
            <li>
              Back in <strong>Apps &amp; Connectors</strong>, choose <strong>Create</strong>, paste the MCP URL and pick
              {" "}
              <strong>OAuth</strong> as the authentication.
            </li>
            <li>
              Sign in here and approve. ChatGPT (and deep research) use the wiki's <code>search</code> and{" "}
              <code>fetch</code> tools.
            </li>
          </ol>
        </div>
      </div>
      <PostForm action={checkPath(slug)} token={token} inline>
        <button type="submit" class="btn-quiet">Test the connection</button>
        <span class="muted">Runs what an agent does first (initialize, list the tools) against this wiki.</span>
      </PostForm>
    </Section>
  );
}

/**
 * POST /app/wikis/:slug/connect/check: runs the check for any member (read-only unless they may write); past the
 * per-person limit the page says so with 429 and `Retry-After` (503 when the limit could not be counted).
 */
export async function connectionCheckRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const did = currentUser(c).did;
  const access = await accessWiki(deps.platform.wikis, c.req.param("slug") ?? "", did);
  const result = await checkConnection(
    { kv: deps.kv, tokens: deps.tokens, urls: deps.urls, handle: (req, slug) => deps.mcp.handle(req, slug) },
    access.wiki,
    !can(access, "write"),
    did,
  );
  const slug = access.wiki.slug;
  if (result.refused) c.header("Retry-After", String(result.refused.retryAfterSeconds));
  const status = result.refused ? (result.refused.reason === "limit" ? 429 : 503) : 200;
  return htmlPage(
    c,
    <AppPage title={`Connection test · ${slug}`} urls={deps.urls} current="wikis">
      <p class="breadcrumbs">
        <a href={deps.urls.platform("/app/")}>Your wikis</a>
        <span class="sep">/</span>
        <a href={deps.urls.platform(settingsPath(slug))}>{slug}</a>
        <span class="sep">/</span>
        connection test
      </p>
      <h1>Connection test</h1>
      <p class={result.ok ? "notice notice-ok" : "notice notice-error"} role="status">
        {result.ok
          ? `The MCP endpoint works: an agent connecting to ${deps.urls.mcp(slug)} sees ${result.tools.length} tools.`
          : result.refused
          ? "The test was not run: too many connection tests in the last minute (or the limit could not be counted)."
          : "The MCP endpoint did not answer as an agent expects. The steps below say where it stopped."}
      </p>
      <ol class="check-steps">
        {result.steps.map((s) => (
          <li>
            <strong>{s.name}</strong>: {s.ok ? "ok" : "failed"}. <span class="muted">{s.detail}</span>
          </li>
        ))}
      </ol>
      {result.tools.length > 0
        ? (
          <>
            <h2>Tools</h2>
            <p>
              {result.tools.map((t) => (
                <>
                  <code class="tool-name">{t}</code>
                  {" "}
                </>
              ))}
            </p>
          </>
        )
        : null}
      <p>
        <a href={deps.urls.platform(`${settingsPath(slug)}#connect`)}>Back to settings</a>
      </p>
    </AppPage>,
    status,
  );
}
