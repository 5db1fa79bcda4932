/**
 * @module
 * Section vectors of the static layer (issue 12 item 2): a long page on many subjects is found by the one section a
 * query is about. A page's sections are the text before its first heading (path "", the page itself) and each ATX
 * heading's own text, up to the next heading of any level (lib/wiki/sections.ts `parseHeadings`; a repeated heading
 * path adds its text to the first one, as `read_note` reads the first). Each section with a known word in its
 * heading or text gets a vector ({@link StaticEmbedder.embedSection}); a page gets them only when at least
 * {@link MIN_SECTIONS} sections have one. At most {@link MAX_SECTION_VECTORS} a page, the first ones in document
 * order: later sections, sections whose heading path is longer than {@link MAX_SECTION_PATH_CHARS} and text past
 * `MAX_EMBEDDED_CHARS` get none (the page vector still covers them up to that length).
 *
 * Stored in the page's static `page_vec` record (`StoredVector.sections`, lib/wiki/meaning/vector_store.ts) as int8
 * rows, one scale a row; kept in memory as int8 too ({@link SectionRows}).
 */
import { parseHeadings, SECTION_SEPARATOR } from "../sections.ts";
import { MAX_EMBEDDED_CHARS, type StaticEmbedder } from "./static_embedder.ts";

/** Most section vectors of one page. */
export const MAX_SECTION_VECTORS = 32;
/** Fewest sections with a vector that give a page section vectors. */
export const MIN_SECTIONS = 2;
/** Longest heading path (characters) of a section with a vector: 32 of them keep the record under ~20 KB. */
export const MAX_SECTION_PATH_CHARS = 200;

/** The section vectors of a page as stored: row i (`dims` int8 components of `q`, times `scales[i]`) is `paths[i]`'s. */
export interface StoredSections {
  /** Heading paths ("" for the text before the first heading), as `read_note`'s `section` argument takes them. */
  paths: string[];
  /** Scale of each row. */
  scales: number[];
  /** The rows' int8 components, as bytes (`paths.length` x dims). */
  q: Uint8Array;
}

/** A page's section vectors in memory: int8 rows and per row the factor that makes a dot product with a unit query its cosine. */
export interface SectionRows {
  paths: string[];
  q: Int8Array;
  factors: Float32Array;
}

/** A page body's sections: heading path and own text, in document order, repeated paths merged into the first. */
export function pageSections(body: string): { path: string; heading: string; text: string }[] {
  const content = body.slice(0, MAX_EMBEDDED_CHARS);
  const headings = parseHeadings(content);
  const out: { path: string; heading: string; text: string }[] = [];
  const byPathId = new Map<number, number>();
  const intro = content.slice(0, headings[0]?.start ?? content.length);
  if (intro.trim() !== "") out.push({ path: "", heading: "", text: intro });
  headings.forEach((h, i) => {
    const lineEnd = content.indexOf("\n", h.start);
    const end = headings[i + 1]?.start ?? content.length;
    const text = lineEnd < 0 || lineEnd >= end ? "" : content.slice(lineEnd + 1, end);
    const known = byPathId.get(h.pathId);
    if (known !== undefined) {
      out[known].text += "\n" + text;
      return;
    }
    if (h.pathLength > MAX_SECTION_PATH_CHARS) return;
    byPathId.set(h.pathId, out.length);
    out.push({ path: h.titles.join(SECTION_SEPARATOR), heading: h.titles.join(" "), text });
  });
  return out;
}

/** The section vectors of a page, quantised for its record; null when it has fewer than {@link MIN_SECTIONS}. */
export function embedSections(embedder: StaticEmbedder, title: string, body: string): StoredSections | null {
  const paths: string[] = [];
  const rows: Float32Array[] = [];
  const sections = pageSections(body);
  if (sections.length < MIN_SECTIONS) return null; // most pages: no second embedding of their text
  for (const s of sections) {
    if (rows.length === MAX_SECTION_VECTORS) break;
    const v = embedder.embedSection(title, s.heading, s.text);
    if (v === null) continue;
    paths.push(s.path);
    rows.push(v);
  }
  if (rows.length < MIN_SECTIONS) return null;
  const dims = embedder.dims;
  const q = new Int8Array(rows.length * dims);
  const scales = rows.map((v, r) => {
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max / 127 || 1;
    for (let d = 0; d < dims; d++) q[r * dims + d] = Math.round(v[d] / scale);
    return scale;
  });
  return { paths, scales, q: new Uint8Array(q.buffer) };
}

/** The in-memory rows of stored section vectors of `dims` components; null when absent or malformed. */
export function decodeSections(stored: unknown, dims: number): SectionRows | null {
  if (typeof stored !== "object" || stored === null) return null;
  const { paths, scales, q } = stored as Partial<StoredSections>;
  if (!Array.isArray(paths) || !Array.isArray(scales) || !(q instanceof Uint8Array)) return null;
  const n = paths.length;
  if (n < 1 || n > MAX_SECTION_VECTORS || scales.length !== n || q.length !== n * dims) return null;
  if (!paths.every((p) => typeof p === "string") || !scales.every((s) => typeof s === "number" && s > 0)) return null;
  const rows = new Int8Array(n * dims);
  rows.set(new Int8Array(q.buffer, q.byteOffset, q.length));
  const factors = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let d = r * dims; d < (r + 1) * dims; d++) norm += rows[d] * rows[d];
    factors[r] = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  }
  return { paths: [...paths], q: rows, factors };
}

/** The best section of `rows` for the unit vector `query`: its row and cosine (row -1 when there is none). */
export function bestSection(rows: SectionRows, query: Float32Array): { row: number; score: number } {
  const dims = query.length;
  let best = { row: -1, score: -Infinity };
  for (let r = 0, base = 0; r < rows.factors.length; r++, base += dims) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += query[d] * rows.q[base + d];
    s *= rows.factors[r];
    if (s > best.score) best = { row: r, score: s };
  }
  return best;
}
