import { ENV_KEY_RULE, isValidEnvKey } from "../apps/env-key";
import { ENV_VALUE_MAX_BYTES, type EnvEntry } from "./env-var-rules";

export interface DotenvLineError {
  line: number;
  text: string;
  message: string;
}

export interface ParsedDotenv {
  entries: EnvEntry[];
  errors: DotenvLineError[];
}

export const DOTENV_MAX_BYTES = 512 * 1024;

/**
 * Parses pasted `.env` text: KEY=value, optional `export `, '#' comments, single- or double-quoted
 * values (double quotes understand \n, \t, \" and \\). Every bad line is reported with its number
 * so the user can fix the paste; nothing is applied by the caller while errors remain.
 */
export function parseDotenv(text: string): ParsedDotenv {
  const entries: EnvEntry[] = [];
  const errors: DotenvLineError[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const firstLine = new Map<string, number>();

  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const fail = (message: string) => errors.push({ line: lineNo, text: rawLine.slice(0, 120), message });
    const body = line.startsWith("export ") ? line.slice(7).trimStart() : line;
    const eq = body.indexOf("=");
    if (eq <= 0) return fail("Expected KEY=value.");
    const key = body.slice(0, eq).trim();
    if (!isValidEnvKey(key)) return fail(`Key "${key.slice(0, 70)}" ${ENV_KEY_RULE}.`);
    const value = parseValue(body.slice(eq + 1).trim());
    if (value === null) return fail("Quoted value is not closed, or has text after the closing quote.");
    if (value.includes("\u0000")) return fail("Value cannot contain NUL bytes.");
    if (Buffer.byteLength(value, "utf8") > ENV_VALUE_MAX_BYTES) return fail(`Value is too large (at most ${ENV_VALUE_MAX_BYTES / 1024} KiB).`);
    const earlier = firstLine.get(key);
    if (earlier !== undefined) return fail(`${key} was already set on line ${earlier}.`);
    firstLine.set(key, lineNo);
    entries.push({ key, value });
  });
  return { entries, errors };
}

function parseValue(raw: string): string | null {
  if (raw.startsWith('"')) {
    let out = "";
    for (let i = 1; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch === "\\" && i + 1 < raw.length) {
        const next = raw[++i]!;
        out += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
        continue;
      }
      if (ch === '"') return trailingOk(raw.slice(i + 1)) ? out : null;
      out += ch;
    }
    return null;
  }
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    if (end < 0) return null;
    return trailingOk(raw.slice(end + 1)) ? raw.slice(1, end) : null;
  }
  // Unquoted: an inline comment starts at " #".
  const hash = raw.search(/\s#/);
  return (hash >= 0 ? raw.slice(0, hash) : raw).trim();
}

function trailingOk(rest: string): boolean {
  const t = rest.trim();
  return t === "" || t.startsWith("#");
}
