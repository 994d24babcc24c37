import { ENV_KEY_RULE, isValidEnvKey } from "../server/apps/env-key";
import { DOTENV_MAX_BYTES, parseDotenv } from "../server/env-vars/parse-dotenv";
import { usageError } from "./errors";

/**
 * A .env file's variables, parsed by the platform's own parser (the dashboard's paste box uses
 * the same one, src/server/env-vars/parse-dotenv.ts), so a file the CLI accepts the platform
 * accepts too. Any bad line refuses the whole file and names every bad line.
 */
export function varsFromDotenv(text: string, source: string): Record<string, string> {
  if (Buffer.byteLength(text, "utf8") > DOTENV_MAX_BYTES) throw usageError(`${source} is larger than ${DOTENV_MAX_BYTES / 1024} KiB: split it.`);
  const { entries, errors } = parseDotenv(text);
  if (errors.length) {
    const lines = errors.map((e) => `  ${source}:${e.line}: ${e.message}`);
    throw usageError(`${source} has ${errors.length === 1 ? "a bad line" : `${errors.length} bad lines`}; nothing was changed. Fix ${errors.length === 1 ? "it" : "them"} and run the import again:\n${lines.join("\n")}`);
  }
  if (entries.length === 0) throw usageError(`${source} sets no variables (expected KEY=value lines).`);
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/** `KEY=value` arguments of `wh env set`; the value is everything after the first '='. */
export function varsFromAssignments(args: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw usageError(`"${arg}" is not KEY=value: write it as ${/^[A-Z]/.test(arg) ? `${arg}=value` : "KEY=value"}.`);
    const key = arg.slice(0, eq);
    if (!isValidEnvKey(key)) throw usageError(`Key "${key}" ${ENV_KEY_RULE}.`);
    if (key in vars) throw usageError(`${key} is given twice.`);
    vars[key] = arg.slice(eq + 1);
  }
  return vars;
}

/** Keys for `wh env unset`, checked before anything is sent. */
export function checkedKeys(keys: string[]): string[] {
  for (const key of keys) if (!isValidEnvKey(key)) throw usageError(`Key "${key}" ${ENV_KEY_RULE}.`);
  return [...new Set(keys)];
}
