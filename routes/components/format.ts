/**
 * @module
 * Small display formatters shared by the server-rendered pages: times, revision ids, sizes, actions.
 */
import type { RevisionAction } from "../../lib/wiki/types.ts";

/** Characters of a revision id shown to people. */
export const SHORT_REV_CHARS = 8;

/** A revision id as shown: its first 8 characters. */
export function shortRev(id: string): string {
  return id.slice(0, SHORT_REV_CHARS);
}

/** An instant (epoch ms) as `2026-11-26 20:02 UTC`. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The UTC date of an instant (epoch ms), `2026-11-26`. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** An instant (epoch ms) as an ISO 8601 string, for `<time datetime>`. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A byte count for people: `512 B`, `1.5 KB`, `2.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const ACTION_LABELS: Record<RevisionAction, string> = {
  create: "created",
  update: "updated",
  edit: "edited",
  delete: "deleted",
  restore: "restored",
  rename: "renamed",
  attach: "attached a file",
  detach: "removed a file",
};

/** What a revision did, as a past-tense verb phrase. */
export function actionLabel(action: RevisionAction): string {
  return ACTION_LABELS[action] ?? action;
}

/** A query string from key/value pairs, skipping empty values (no leading `?`). */
export function query(params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
}
