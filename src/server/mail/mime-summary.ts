/**
 * Just enough MIME reading for the development mail catcher to show a message: headers (with
 * RFC 2047 encoded words), nested multipart, quoted-printable and base64 bodies. Production mail
 * never passes through here.
 */
export interface MimeSummary {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

type Headers = Map<string, string>;

function splitHeadersAndBody(raw: string): { headers: Headers; body: string } {
  const normalised = raw.replace(/\r\n/g, "\n");
  const end = normalised.indexOf("\n\n");
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? "" : normalised.slice(end + 2);
  const headers: Headers = new Map();
  // Folded header lines start with whitespace and continue the previous header.
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(input: string): Buffer {
  const soft = input.replace(/=\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) => {
      const buf = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : decodeQuotedPrintable(text.replace(/_/g, " "));
      return buf.toString("utf8");
    });
}

function param(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, "i").exec(header);
  return match ? (match[2] ?? match[1]) : undefined;
}

function decodeBody(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  if (enc === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (enc === "quoted-printable") return decodeQuotedPrintable(body).toString("utf8");
  return body;
}

function walk(part: string, out: { text: string; html: string }, depth: number): void {
  if (depth > 10) return;
  const { headers, body } = splitHeadersAndBody(part);
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = param(type, "boundary");
  if (/^multipart\//i.test(type) && boundary) {
    const pieces = body.split(`--${boundary}`);
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith("--")) break;
      // The line break before a boundary belongs to the boundary, not to the part.
      walk(piece.replace(/^\n/, "").replace(/\n$/, ""), out, depth + 1);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get("content-transfer-encoding") ?? "7bit");
  if (/^text\/html/i.test(type) && !out.html) out.html = decoded;
  else if (/^text\/plain/i.test(type) && !out.text) out.text = decoded;
}

export function summariseMime(raw: string): MimeSummary {
  const { headers } = splitHeadersAndBody(raw);
  const parts = { text: "", html: "" };
  walk(raw, parts, 0);
  return {
    from: decodeEncodedWords(headers.get("from") ?? ""),
    to: decodeEncodedWords(headers.get("to") ?? ""),
    subject: decodeEncodedWords(headers.get("subject") ?? ""),
    ...parts,
  };
}
