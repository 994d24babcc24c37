import { SourceValidationError } from "../repo-source";

/**
 * Splits a user's install/build/start command into argv words. There is no shell: quotes group
 * words and backslash escapes one character; shell operators are refused with a hint, because
 * silently passing `&&` to npm as an argument would fail in a confusing way.
 */
export function commandWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if ("|&;<>`$(){}".includes(ch)) {
      throw new SourceValidationError(
        `command ${JSON.stringify(command)} uses the shell character '${ch}', but commands run without a shell: put it in a package.json script and run that script`,
      );
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new SourceValidationError(`command ${JSON.stringify(command)} has an unclosed quote`);
  if (inWord) words.push(word);
  return words;
}
