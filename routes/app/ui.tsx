/**
 * @module
 * Building blocks of the dashboard's pages: the page frame with the dashboard's own navigation, the hidden CSRF
 * field, notices after a redirect, inline form errors, and copyable values with their Copy buttons.
 */
import type { ComponentChildren } from "preact";
import type { Urls } from "../../lib/urls.ts";
import { Layout } from "../components/Layout.tsx";

/** Messages shown after a successful action (`?notice=`); unknown codes show nothing. */
export const NOTICES: Readonly<Record<string, string>> = {
  "wiki-created": "Your wiki is ready. Connect an agent below.",
  "token-revoked": "Token revoked. Agents using it are refused from now on.",
  "visibility-saved": "Visibility saved.",
  "collaborator-added": "Collaborator added.",
  "role-changed": "Role changed.",
  "collaborator-removed": "Collaborator removed. The apps they connected to this wiki were disconnected.",
  "app-revoked": "App disconnected. Its access stopped at once.",
  "wiki-deleted":
    "Wiki deleted. Its tokens and connected apps no longer work, and its name stays reserved for 30 days.",
};

/** Props of {@link AppPage}. */
export interface AppPageProps {
  title: string;
  urls: Urls;
  /** Which dashboard tab is current. */
  current: "wikis" | "account";
  children: ComponentChildren;
}

/** A dashboard page: the site frame (whose header shows who is signed in) plus the dashboard's tabs. */
export function AppPage({ title, urls, current, children }: AppPageProps) {
  return (
    <Layout title={title} urls={urls}>
      <div class="app">
        <nav class="app-nav" aria-label="Dashboard">
          <a href={urls.platform("/app/")} aria-current={current === "wikis" ? "page" : undefined}>Your wikis</a>
          <a href={urls.platform("/app/account")} aria-current={current === "account" ? "page" : undefined}>
            Account
          </a>
        </nav>
        {children}
      </div>
    </Layout>
  );
}

/** The hidden CSRF field of a dashboard form. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

/** The notice for a `?notice=` code, if any. */
export function Notice({ code }: { code: string | null | undefined }) {
  const text = code && Object.hasOwn(NOTICES, code) ? NOTICES[code] : undefined;
  return text ? <p class="notice notice-ok" role="status">{text}</p> : null;
}

/** An inline error next to the form that caused it. */
export function FormError({ message }: { message: string | null | undefined }) {
  return message ? <p class="notice notice-error" role="alert">{message}</p> : null;
}

/** A value people copy (URL, command, token): monospace, selectable as a whole, wraps on phones. */
export function CopyValue({ value, label }: { value: string; label: string }) {
  return <pre class="copy" aria-label={label}><code>{value}</code></pre>;
}

/**
 * Adds a "Copy" button after every copyable value of the page (`pre.copy`: the MCP URL, commands, a new token),
 * once the whole page is parsed (the script may come before some of them). Inline, allowed by the page's script
 * nonce; without script the values stay selectable as a whole.
 */
const COPY_SCRIPT = `(() => { const addCopyButtons = () => { for (const pre of document.querySelectorAll("pre.copy")) {
  const b = document.createElement("button");
  b.type = "button"; b.className = "btn-quiet copy-button"; b.textContent = "Copy";
  b.setAttribute("aria-label", "Copy " + (pre.getAttribute("aria-label") || "value"));
  b.addEventListener("click", () => {
    navigator.clipboard.writeText(pre.textContent.trim()).then(
      () => { b.textContent = "Copied"; setTimeout(() => { b.textContent = "Copy"; }, 2000); },
      () => { b.textContent = "Select and copy by hand"; },
    );
  });
  pre.after(b);
} };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addCopyButtons);
else addCopyButtons(); })();`;

/** The copy buttons' script, with the request's CSP nonce. */
export function CopyButtons({ nonce }: { nonce: string }) {
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} />;
}

/** A form posting to `action` with the CSRF field; `inline` lays it out as one row. */
export function PostForm(
  { action, token, inline = false, children, class: cls }: {
    action: string;
    token: string;
    inline?: boolean;
    class?: string;
    children: ComponentChildren;
  },
) {
  return (
    <form method="post" action={action} class={[inline ? "app-inline" : "app-stack", cls].filter(Boolean).join(" ")}>
      <Csrf token={token} />
      {children}
    </form>
  );
}
