/**
 * @module
 * The refusal of an archive (or one entry of it) on import: an InvalidInputError (422) whose message names the entry
 * and says what is wrong, so a person can fix the archive. Nothing is written when one is thrown.
 */
import { InvalidInputError } from "../errors.ts";

/** An archive refused on import; `entry` is the entry name concerned (null when the archive as a whole). */
export class ArchiveError extends InvalidInputError {
  /** The entry concerned, as the archive names it. */
  readonly entry: string | null;
  /** What kind of refusal: a stable code for tests and adapters. */
  readonly kind: ArchiveRefusal;

  /** A refusal of `kind` about `entry`. */
  constructor(kind: ArchiveRefusal, entry: string | null, message: string) {
    super(entry === null ? message : `Archive entry "${entry.slice(0, 200)}": ${message}`);
    this.entry = entry;
    this.kind = kind;
  }
}

/** Kinds of archive refusal. */
export type ArchiveRefusal =
  | "not_zip"
  | "unsupported"
  | "bad_path"
  | "symlink"
  | "duplicate"
  | "bad_name_encoding"
  | "bad_text"
  | "too_many_entries"
  | "too_large"
  | "bomb"
  | "corrupt";
