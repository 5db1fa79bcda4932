/**
 * @module
 * Builds the browser scripts ("islands") into static/js/ (gitignored) with `deno bundle`: today only
 * islands/editor.ts -> static/js/editor.js, the editor's progressive enhancement. Pages work without them; a page
 * includes a script only when its bundle exists. Run: `deno run --allow-read --allow-write --allow-run
 * --allow-env --allow-net scripts/build_islands.ts` (the first `deno bundle` fetches esbuild from the npm registry).
 */

/** Entry points and their bundle paths, relative to the project root. */
export const ISLANDS: readonly { entry: string; out: string }[] = [
  { entry: "islands/editor.ts", out: "static/js/editor.js" },
];

const ROOT = new URL("../", import.meta.url);

/** Bundles every island (minified, browser platform). Throws with deno's output when a bundle fails. */
export async function buildIslands(): Promise<void> {
  for (const { entry, out } of ISLANDS) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "--minify", "-o", out, entry],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

if (import.meta.main) {
  await buildIslands();
  console.log(`Built ${ISLANDS.map((i) => i.out).join(", ")}`);
}
