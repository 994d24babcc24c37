/** Log text from workers is untrusted: these keep it printable and bounded before storage. */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-byte escapes, and 8-bit CSI.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI escape sequences and NUL bytes (Postgres text cannot hold NUL). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "").replace(/\u0000/g, "");
}

/**
 * Characters that let a line rewrite what the viewer shows: C0 controls other than tab and
 * newline (carriage return, backspace, …), DEL, C1 controls, and the bidirectional overrides,
 * embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).
 */
const SPOOFING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * Multi-line log text (build logs, job errors, status reasons) made safe to store and show:
 * escapes stripped, CRLF and lone CR (progress bars) turned into newlines, spoofing characters
 * removed, so an app cannot forge or overwrite lines in the viewer.
 */
export function printableLogText(text: string): string {
  return stripAnsi(text).replace(/\r\n?/g, "\n").replace(SPOOFING, "");
}

/** One runtime log line made safe to store and show: as printableLogText, with no line breaks left. */
export function printableLogLine(line: string): string {
  return printableLogText(line).replace(/\n/g, " ");
}

/** Truncates to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function capUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const buf = Buffer.from(text, "utf8").subarray(0, maxBytes);
  // A cut inside a multi-byte sequence decodes to U+FFFD at the end; drop it.
  return buf.toString("utf8").replace(/\uFFFD+$/, "");
}

export const MAX_BUILD_LOG_BYTES = 512 * 1024;
export const TRUNCATION_MARKER = "\n...[truncated]...\n";

/**
 * When the log is longer than `max`, keep the first half and the last half around a
 * marker, so both the early failure context and the end of the run survive.
 */
export function capHeadTail(text: string, max = MAX_BUILD_LOG_BYTES): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - TRUNCATION_MARKER.length) / 2);
  return text.slice(0, half) + TRUNCATION_MARKER + text.slice(text.length - half);
}
