/**
 * @module
 * Runs the re-embed job (lib/wiki/meaning/reembed_job.ts) in the background of an app process: a pass, then a
 * pause, then another pass (cheap when nothing changed: one read per wiki), for as long as the process lives. When
 * another instance holds the lease it waits and tries again; when the embedder is down it waits for the breaker's
 * cool-down and resumes from the saved cursor. Timers are unref'd (they never keep the process alive) and `stop()`
 * ends the loop after the batch in flight.
 */
import { type PassOutcome, type ReembedDeps, runReembedPass } from "./reembed_job.ts";

/** Pauses of the runner, in ms. */
export interface RunnerTiming {
  /** After a finished pass, before the next (default 60 s). */
  idleMs?: number;
  /** After "busy" (another runner) or "unavailable" (the endpoint down), or a KV failure (default 30 s). */
  retryMs?: number;
}

/** A running job. */
export interface ReembedRunner {
  /** Stops the loop; resolves when the pass in flight has stopped. */
  stop(): Promise<void>;
  /** The outcome of every pass so far, in order (for tests and status). */
  readonly outcomes: readonly PassOutcome[];
}

/** Starts the loop with `deps`. */
export function startReembedJob(deps: ReembedDeps, timing: RunnerTiming = {}): ReembedRunner {
  const abort = new AbortController();
  const outcomes: PassOutcome[] = [];
  const log = deps.log ?? ((m: string) => console.log(m));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (abort.signal.aborted) return resolve();
      const id = setTimeout(done, ms);
      Deno.unrefTimer(id);
      function done() {
        abort.signal.removeEventListener("abort", done);
        clearTimeout(id);
        resolve();
      }
      abort.signal.addEventListener("abort", done);
    });
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let outcome: PassOutcome;
      try {
        outcome = await runReembedPass(deps, { signal: abort.signal });
      } catch (err) {
        log(`embeddings: pass failed: ${err instanceof Error ? err.message : String(err)}`);
        await pause(timing.retryMs ?? 30_000);
        continue;
      }
      outcomes.push(outcome);
      await pause(outcome === "finished" ? timing.idleMs ?? 60_000 : timing.retryMs ?? 30_000);
    }
  })();
  return {
    outcomes,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
