/**
 * @module
 * Pages of the sign-in flow: the login form and the signup (choose your wiki's name) form.
 */
import type { Urls } from "../../lib/urls.ts";
import { Layout } from "../components/Layout.tsx";

/** Props of {@link LoginPage}. */
export interface LoginPageProps {
  urls: Urls;
  csrf: string;
  /** What the person typed (kept after an error). */
  identifier?: string;
  /** Where to go after signing in (an own URL), carried in a hidden field. */
  returnTo?: string | null;
  /** A message saying what went wrong and what to do. */
  error?: string | null;
}

/** The login form: handle, DID or PDS address. */
export function LoginPage({ urls, csrf, identifier = "", returnTo = null, error = null }: LoginPageProps) {
  return (
    <Layout title="Sign in" urls={urls}>
      <section class="auth-panel">
        <h1>Sign in to robot.wtf</h1>
        <p>
          Use your Bluesky handle or any other ATProto account. You confirm the sign-in at your own server (your PDS);
          robot.wtf only learns who you are. It cannot post, read your messages or change your account.
        </p>
        {error
          ? (
            <p class="form-error" role="alert">
              {error}
            </p>
          )
          : null}
        <form class="auth-form" method="post" action={urls.platform("/auth/login")}>
          <input type="hidden" name="csrf" value={csrf} />
          {returnTo ? <input type="hidden" name="return_to" value={returnTo} /> : null}
          <label for="identifier">Handle, DID or PDS address</label>
          <input
            type="text"
            id="identifier"
            name="identifier"
            value={identifier}
            placeholder="alice.bsky.social"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            autofocus
          />
          <p class="hint">
            For example <code>alice.bsky.social</code>, <code>@alice</code>, <code>did:plc:…</code> or{" "}
            <code>https://pds.example.com</code>.
          </p>
          <button type="submit">Sign in</button>
        </form>
        <p class="muted">
          New here? Signing in for the first time creates your account; you then choose a name for your wiki.
        </p>
      </section>
    </Layout>
  );
}

/** Props of {@link SignupPage}. */
export interface SignupPageProps {
  urls: Urls;
  csrf: string;
  handle: string;
  /** The proposed or typed slug. */
  slug: string;
  error?: string | null;
  /** Where "Not now" goes. */
  skipUrl: string;
}

/** Signup: choose the slug of your first wiki. */
export function SignupPage({ urls, csrf, handle, slug, error = null, skipUrl }: SignupPageProps) {
  const example = urls.wikiBase("your-name");
  const [before, after] = example.split("your-name");
  return (
    <Layout title="Choose your wiki's name" urls={urls}>
      <section class="auth-panel">
        <h1>Welcome, {handle}</h1>
        <p>
          Choose a name for your wiki. It becomes its address, and the address your agents connect to. The wiki starts
          private: only you can read it until you share it.
        </p>
        {error
          ? (
            <p class="form-error" role="alert">
              {error}
            </p>
          )
          : null}
        <form class="auth-form" method="post" action={urls.platform("/auth/signup")}>
          <input type="hidden" name="csrf" value={csrf} />
          <label for="slug">Wiki name</label>
          <div class="slug-field">
            <span class="slug-affix">{before}</span>
            <input
              type="text"
              id="slug"
              name="slug"
              value={slug}
              minLength={3}
              maxLength={30}
              pattern="[a-z0-9][a-z0-9\-]{1,28}[a-z0-9]"
              autocapitalize="none"
              spellcheck={false}
              required
              autofocus
            />
            {after ? <span class="slug-affix">{after}</span> : null}
          </div>
          <p class="hint">3 to 30 lowercase letters, digits and hyphens; no hyphen at the start or end.</p>
          <button type="submit">Create my wiki</button>
        </form>
        <p class="muted">
          <a href={skipUrl}>Not now</a>
        </p>
      </section>
    </Layout>
  );
}

/** Props of {@link SignupLimitPage}. */
export interface SignupLimitPageProps {
  urls: Urls;
  limit: number;
  wikis: { slug: string; title: string }[];
}

/** Signup when the person already owns as many wikis as allowed. */
export function SignupLimitPage({ urls, limit, wikis }: SignupLimitPageProps) {
  return (
    <Layout title="You already have a wiki" urls={urls}>
      <section class="auth-panel">
        <h1>You already have {limit === 1 ? "a wiki" : `${limit} wikis`}</h1>
        <p>
          Each account can own {limit === 1 ? "one wiki" : `${limit} wikis`}. Yours:
        </p>
        <ul>
          {wikis.map((w) => (
            <li key={w.slug}>
              <a href={urls.wiki(w.slug, "/")}>{w.title}</a> <span class="muted">({w.slug})</span>
            </li>
          ))}
        </ul>
        <p>
          <a class="button" href={urls.platform("/app/")}>Go to your dashboard</a>
        </p>
      </section>
    </Layout>
  );
}
