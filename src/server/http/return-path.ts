/** Only this origin is used to resolve a return path; it never leaves this module. */
const BASE = new URL("http://return-path.invalid");
const MAX_LENGTH = 500;

// Characters the browser's URL parser removes (tab, CR, LF) or treats specially: a leading
// "/\t/evil.example" becomes "//evil.example" once the tab is stripped, and "\" is "/" in http(s)
// URLs. Other C0 controls and DEL have no place in a path we link to either.
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;
// Percent-encoded slash, backslash, percent (double encoding) and controls in the path: a proxy or
// server that decodes once more would see "//" or "\" where the browser saw a plain segment.
const ENCODED_SEPARATOR = /%(2f|5c|25|[01][0-9a-f]|7f)/i;

/**
 * A path to come back to after signing in, or "/" when it is not certainly one of ours. The value
 * is resolved as the browser would resolve it (`new URL(value, base)`: dot segments, empty
 * segments) and accepted only when the result stays on the same origin and its path starts with
 * a single "/". What is returned is that normalised form, so the check applies to exactly what
 * the redirect sends.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return "/";
  if (!value.startsWith("/") || value.startsWith("//")) return "/";
  if (CONTROL_OR_BACKSLASH.test(value)) return "/";
  const pathPart = value.split(/[?#]/, 1)[0]!;
  if (ENCODED_SEPARATOR.test(pathPart)) return "/";
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE.origin) return "/";
  // "/a/../..//evil.example" and "/.//evil.example" normalise to "//evil.example".
  if (!url.pathname.startsWith("/") || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
