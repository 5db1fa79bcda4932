/**
 * @module
 * The contract between the meaning layer's parts (issue 12): an `Embedder` turns texts into vectors of one model.
 * Two kinds exist: the static word-vector layer that ships with the app (always on, model id starting "static:")
 * and an optional OpenAI-compatible endpoint configured by the operator (`EMBEDDINGS_URL`, model id "remote:<name>").
 * Every page always has a static vector; a page may also have one vector of the configured remote model. A query is
 * compared only with vectors of the model that embedded it: the remote one while it answers and the page has a
 * vector of the current remote model, the static one otherwise (the fallback when the remote endpoint is down).
 */

/** Turns texts into unit-length vectors of one model. */
export interface Embedder {
  /** Names the model and its version (e.g. "static:wink-100d-50k-v1", "remote:text-embedding-3-small"); stored
   * with each vector so that a change of model is noticed and re-embedded. */
  readonly model: string;
  /** Length of every vector this embedder returns. */
  readonly dims: number;
  /** Embeds the texts, one vector per text, in order. Rejects with `EmbedderUnavailableError` when it cannot. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** The embedder could not answer (down, timed out, refused, malformed reply); callers fall back to the static layer. */
export class EmbedderUnavailableError extends Error {
  /** The model that failed and why. */
  constructor(readonly model: string, reason: string) {
    super(`embedder ${model} unavailable: ${reason}`);
    this.name = "EmbedderUnavailableError";
  }
}
