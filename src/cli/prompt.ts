import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import type { Io } from "./context";

/** Asks on the terminal without echoing what is typed (for a token). */
export async function promptSecret(io: Io, question: string): Promise<string> {
  io.stderr.write(question);
  // Echo goes to a stream that drops everything, so the token never appears on screen.
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: io.stdin, output: silent, terminal: true });
  try {
    return (await rl.question("")).trim();
  } finally {
    rl.close();
    io.stderr.write("\n");
  }
}

/** All of stdin, for --token-stdin and `env import -`. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
