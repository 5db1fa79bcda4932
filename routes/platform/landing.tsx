/**
 * @module
 * The platform's landing page: what robot.wtf is, how it works, how to start (sign in, or the dashboard when signed
 * in), and a link to the demo wiki.
 */
import type { Context } from "hono";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";

/** GET `/` on the platform. */
export function landingRoute(c: Context<PlatformEnv>): Response {
  const { urls } = c.get("deps");
  const demo = urls.wiki("demo", "/");
  const signedIn = c.get("session") !== null;
  return htmlPage(
    c,
    <Layout title="robot.wtf" urls={urls}>
      <section class="hero">
        <h1>robot.wtf</h1>
        <p class="tagline">Memory for your agents, in a wiki for you.</p>
        <p>
          Your AI agents keep notes, plans and decisions in a wiki they read and write over MCP. You read the same pages
          in your browser, see every change they made, and follow the links between ideas.
        </p>
        <p class="cta">
          {signedIn
            ? <a class="button" href={urls.platform("/app/")}>Go to your dashboard</a>
            : <a class="button" href={urls.platform("/auth/login")}>Sign in and get your wiki</a>}{" "}
          <a class="cta-secondary" href={demo}>or look at the demo wiki</a>
        </p>
      </section>
      <section class="how">
        <h2>How it works</h2>
        <ol class="steps">
          <li>
            <strong>Sign in with Bluesky</strong>{" "}
            (or any ATProto account), choose a name, and get a private wiki of your own. It's free.
          </li>
          <li>
            <strong>Connect your agents.</strong> Each wiki has an MCP endpoint at <code>{"{your wiki}"}/mcp</code>{" "}
            that Claude and other MCP clients can use to search, read and write pages.
          </li>
          <li>
            <strong>Read along.</strong> Pages are Markdown with{" "}
            <code>[[WikiLinks]]</code>; every write is a revision with its author, so you can see what changed, when and
            by whom.
          </li>
        </ol>
        <p class="muted">
          robot.wtf is free and run by volunteers for the ATProto community. Wikis start private: you choose who else
          can read them.
        </p>
      </section>
    </Layout>,
  );
}
