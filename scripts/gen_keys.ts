/**
 * @module
 * Prints a fresh, complete `ROBOT_KEYS` value (JSON, one line) for production:
 *
 *   deno run scripts/gen_keys.ts            # one line, for an environment variable
 *   deno run scripts/gen_keys.ts --pretty   # indented, for reading
 *
 * Store the output as the `ROBOT_KEYS` secret of the deployment. To rotate one key, copy its new `current` into
 * the existing value and move the old `current` into `previous` (see docs/keys.md). Needs no permissions.
 */
import { generateKeysJson } from "../lib/keys.ts";

/** Builds the printed text: the JSON of a new key set, compact or indented. */
export async function renderKeys(pretty: boolean): Promise<string> {
  return JSON.stringify(await generateKeysJson(), null, pretty ? 2 : undefined);
}

if (import.meta.main) {
  console.log(await renderKeys(Deno.args.includes("--pretty")));
}
