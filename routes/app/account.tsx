/**
 * @module
 * The account page (`GET /app/account`): handle, DID, the wikis that deleting the account would delete, and the
 * delete form (type the handle). `POST /app/account/delete` deletes everything (lib/platform/account.ts), clears
 * the session cookie and goes to the landing page.
 */
import type { Context } from "hono";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { WikiError } from "../../lib/errors.ts";
import { deleteAccount } from "../../lib/platform/account.ts";
import { overview } from "../../lib/platform/dashboard.ts";
import type { DashboardUser } from "../../lib/platform/deps.ts";
import { clearSessionCookie } from "../_middleware/session.ts";
import { currentUser, formToken, readForm } from "./context.ts";
import { AppPage, FormError, PostForm } from "./ui.tsx";

/** GET /app/account */
export async function accountRoute(c: Context<PlatformEnv>): Promise<Response> {
  return await render(c, currentUser(c), null, "");
}

/** POST /app/account/delete */
export async function deleteAccountRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { urls } = c.get("deps");
  const user = currentUser(c);
  const form = await readForm(c);
  try {
    await deleteAccount(c.get("deps").platform, user, form.confirm ?? "");
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    return await render(c, user, err.message, form.confirm ?? "", 422);
  }
  clearSessionCookie(c);
  return c.redirect(`${urls.platform("/")}?account=deleted`, 303);
}

async function render(
  c: Context<PlatformEnv>,
  user: DashboardUser,
  error: string | null,
  typed: string,
  status: 200 | 422 = 200,
): Promise<Response> {
  const { urls } = c.get("deps");
  const token = await formToken(c);
  const { wikis } = await overview(c.get("deps").platform, user.did);
  const owned = wikis.filter((w) => w.isOwner);
  const shared = wikis.filter((w) => !w.isOwner);
  return htmlPage(
    c,
    <AppPage title="Account" urls={urls} current="account">
      <h1>Account</h1>
      <dl class="kv">
        <dt>Handle</dt>
        <dd>@{user.handle}</dd>
        {user.displayName
          ? (
            <>
              <dt>Name</dt>
              <dd>{user.displayName}</dd>
            </>
          )
          : null}
        <dt>DID</dt>
        <dd>
          <code class="did">{user.did}</code>
        </dd>
      </dl>
      <p class="muted">
        Your identity is your DID. robot.wtf only knows who you are: it cannot post or read anything in your Bluesky
        account.
      </p>
      <section id="delete" class="app-section danger-zone" aria-labelledby="delete-h">
        <h2 id="delete-h">Delete your account</h2>
        <p>Deleting your account:</p>
        <ul>
          <li>
            deletes {owned.length === 0 ? "no wikis (you own none)" : (
              <>
                your wiki{owned.length === 1 ? "" : "s"} {owned.map((w, i) => (
                  <>
                    {i > 0 ? ", " : ""}
                    <strong>{w.slug}</strong>
                  </>
                ))} with every page, token and connected app
              </>
            )};
          </li>
          {shared.length > 0 ? <li>removes you from {shared.map((w) => w.slug).join(", ")};</li> : null}
          <li>disconnects every app you connected and signs you out everywhere.</li>
        </ul>
        <p>This cannot be undone. Names of deleted wikis stay reserved for 30 days.</p>
        <FormError message={error} />
        <PostForm action="/app/account/delete" token={token}>
          <label for="confirm-handle">
            Type your handle <strong>{user.handle}</strong> to confirm
          </label>
          <input
            type="text"
            id="confirm-handle"
            name="confirm"
            required
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            value={typed}
          />
          <p>
            <button type="submit" class="btn-danger">Delete my account</button>
          </p>
        </PostForm>
      </section>
    </AppPage>,
    status,
  );
}
