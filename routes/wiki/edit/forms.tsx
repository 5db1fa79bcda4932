/**
 * @module
 * Pieces shared by the editing pages: the hidden CSRF field, error notices, exact-text textareas, and the status a
 * refused form is shown again with.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { WikiEnv } from "../../env.ts";
import { WikiError } from "../../../lib/errors.ts";
import { CSRF_FIELD } from "./guard.tsx";
import { requestForm } from "../../../lib/net/body.ts";

/** Longest change summary accepted from a form (characters). */
export const MAX_MESSAGE_CHARS = 500;

/** The hidden CSRF field of a form. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A readable error above a form that is shown again (nothing the person typed is lost). */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return <p class="notice notice-error" role="alert">{message}</p>;
}

/** The HTTP status a form is re-shown with after `err`: the WikiError's own status, else 422. */
export function statusOf(err: WikiError): ContentfulStatusCode {
  return err.status as ContentfulStatusCode;
}

/** Runs `fn`; a WikiError becomes `{ error }` (its message is safe to show), anything else is rethrown. */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: T; error?: undefined } | { error: WikiError }> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof WikiError) return { error: err };
    throw err;
  }
}

/** A person's submitted text shown back read-only on a refusal page, so nothing is lost. */
export function Preserved({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div class="preserved">
      <p>Your text, so that nothing is lost (copy it before you leave this page):</p>
      <TextArea class="editor-text" readonly rows={12} aria-label="Your text" text={text} />
    </div>
  );
}

/**
 * A textarea holding `text` exactly: HTML drops one newline right after `<textarea>`, so one is always added
 * (otherwise a text starting with a blank line would lose it on every round trip).
 */
export function TextArea(
  { text, ...rest }: { text: string } & Record<string, string | number | boolean | undefined>,
) {
  return <textarea {...rest}>{"\n" + text}</textarea>;
}

/** The fields of a submitted form (urlencoded or multipart); missing fields read as "". */
export interface FormFields {
  text(name: string): string;
  file(name: string): File | null;
}

/** Parses the request body as a form. A body that is not a form reads as empty (the handlers then refuse it). */
export async function readForm(c: Context<WikiEnv>): Promise<FormFields> {
  const body: Record<string, string | File> = {};
  try {
    const data = await requestForm(c.req.raw, c.get("deps").config.limits.maxBodyBytes);
    for (const [k, v] of data) body[k] = v; // of a repeated field the last wins
  } catch {
    // Not a readable form (or over the body limit): no fields; the handlers refuse it.
  }
  return {
    text: (name) => typeof body[name] === "string" ? (body[name] as string) : "",
    file: (name) => body[name] instanceof File ? (body[name] as File) : null,
  };
}

/** Textareas submit CRLF line ends; pages store LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** The optional change-summary field. */
export function MessageField({ value, placeholder }: { value: string; placeholder: string }) {
  return (
    <div class="field">
      <label for="edit-message">
        Summary of the change <span class="muted">(optional)</span>
      </label>
      <input
        type="text"
        id="edit-message"
        name="message"
        value={value}
        maxlength={MAX_MESSAGE_CHARS}
        placeholder={placeholder}
      />
    </div>
  );
}
