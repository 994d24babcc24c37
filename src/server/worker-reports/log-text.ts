/** Log text from workers is untrusted: these keep it printable and bounded before storage. */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-byte escapes, and 8-bit CSI.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI escape sequences and NUL bytes (Postgres text cannot hold NUL). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "").replace(/\u0000/g, "");
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
