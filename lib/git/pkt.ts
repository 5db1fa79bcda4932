/**
 * @module
 * pkt-lines (gitprotocol-common): a 4-digit hex length (the 4 included) then the data; `0000` flush, `0001`
 * delimiter, `0002` response end. Writing, reading, and the side-band framing of a packfile.
 */
import { joinBytes } from "./objects.ts";

const UTF8 = new TextEncoder();
const TEXT = new TextDecoder();

/** Largest pkt-line, header included. */
export const MAX_PKT = 65520;
/** The flush packet. */
export const FLUSH: Uint8Array = UTF8.encode("0000");
/** The delimiter packet (protocol v2). */
export const DELIM: Uint8Array = UTF8.encode("0001");

/** One pkt-line carrying `data` (a string gets a trailing newline when it has none). */
export function pkt(data: string | Uint8Array): Uint8Array {
  const body = typeof data === "string" ? UTF8.encode(data.endsWith("\n") ? data : data + "\n") : data;
  const out = new Uint8Array(body.length + 4);
  out.set(UTF8.encode((body.length + 4).toString(16).padStart(4, "0")));
  out.set(body, 4);
  return out;
}

/** pkt-lines of several strings, ended by a flush. */
export function pktBlock(lines: readonly string[]): Uint8Array {
  return joinBytes([...lines.map((l) => pkt(l)), FLUSH]);
}

/** The `ERR` packet git shows as "remote error: ...". */
export function errPkt(message: string): Uint8Array {
  return pkt(`ERR ${message.replace(/\n/g, " ")}`);
}

/** A parsed packet: a line of text (trailing newline removed), a flush or a delimiter. */
export type Packet = { kind: "line"; text: string } | { kind: "flush" } | { kind: "delim" };

/** A request body that is not a well-formed sequence of pkt-lines. */
export class PktError extends Error {
  /** A malformed-request error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "PktError";
  }
}

/** Parses a whole request body into packets; PktError when it is malformed. */
export function parsePkts(bytes: Uint8Array): Packet[] {
  const out: Packet[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new PktError("truncated pkt-line length");
    const lenText = TEXT.decode(bytes.subarray(at, at + 4));
    if (!/^[0-9a-f]{4}$/i.test(lenText)) throw new PktError(`bad pkt-line length ${JSON.stringify(lenText)}`);
    const len = parseInt(lenText, 16);
    if (len === 0) out.push({ kind: "flush" });
    else if (len === 1) out.push({ kind: "delim" });
    else if (len < 4 || len === 2 || len === 3) throw new PktError(`unexpected special packet ${lenText}`);
    else {
      if (at + len > bytes.length) throw new PktError("truncated pkt-line");
      const text = TEXT.decode(bytes.subarray(at + 4, at + len));
      out.push({ kind: "line", text: text.endsWith("\n") ? text.slice(0, -1) : text });
    }
    at += len < 4 ? 4 : len;
  }
  return out;
}

/** Side-band framing: `data` as band-1 pkt-lines of at most MAX_PKT bytes each. */
export function* sideband(data: Uint8Array, band = 1): Generator<Uint8Array> {
  const max = MAX_PKT - 5;
  for (let at = 0; at < data.length; at += max) {
    const part = data.subarray(at, Math.min(data.length, at + max));
    const framed = new Uint8Array(part.length + 1);
    framed[0] = band;
    framed.set(part, 1);
    yield pkt(framed);
  }
}
