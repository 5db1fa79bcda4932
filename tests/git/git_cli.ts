/**
 * @module
 * The real `git` client for the git tests: whether it is installed (a loud skip, or a failure under CI=true), and
 * running it with a private HOME and no system configuration, never prompting.
 */
import { onCi } from "../browser/chromium.ts";

/** Where the tests expect git (Debian package `git`). */
export const GIT = "/usr/bin/git";

/** True when git is installed; otherwise warns (skip) or throws under CI=true. */
export function gitAvailable(): boolean {
  try {
    if (Deno.statSync(GIT).isFile) return true;
  } catch { /* absent */ }
  const message = `git not installed at ${GIT}: \`apt-get install -y git\``;
  if (onCi) throw new Error(message);
  console.warn(`\n!!! SKIPPING git clone tests: ${message}\n`);
  return false;
}

/** Result of one git run. */
export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git with `args` in `cwd` (a private HOME, no system config, no prompts); `extraEnv` is added. */
export async function git(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<GitRun> {
  const out = await new Deno.Command(GIT, {
    args,
    cwd,
    env: {
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "/bin/false",
      LANG: "C",
      ...extraEnv,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs git and throws with its stderr when it fails; returns stdout. */
export async function gitOk(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const r = await git(cwd, args, extraEnv);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Every file in a checkout (not under .git), relative path -> text. */
export async function checkoutFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(`${dir}/${rel}`)) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (p === ".git") continue;
      if (e.isDirectory) await walk(p);
      else out.set(p, await Deno.readTextFile(`${dir}/${p}`));
    }
  };
  await walk("");
  return out;
}

/** The pack files of a repository. */
export async function packFiles(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const e of Deno.readDir(`${dir}/.git/objects/pack`)) if (e.name.endsWith(".pack")) out.add(e.name);
  return out;
}

/**
 * Runs `git fetch` keeping what arrives as a pack (`fetch.unpackLimit=1`) and returns the number of objects the
 * server sent (0 when nothing came) with git's result.
 */
export async function fetchCounted(dir: string): Promise<{ run: GitRun; objects: number }> {
  const before = await packFiles(dir);
  const run = await git(dir, ["-c", "fetch.unpackLimit=1", "fetch", "origin"]);
  let objects = 0;
  for (const name of await packFiles(dir)) {
    if (before.has(name)) continue;
    const listing = await gitOk(dir, ["verify-pack", "-v", `.git/objects/pack/${name}`]);
    objects += listing.split("\n").filter((l) => /^[0-9a-f]{40} (commit|tree|blob) /.test(l)).length;
  }
  return { run, objects };
}
