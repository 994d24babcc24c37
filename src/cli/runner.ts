import type { Command } from "commander";
import { Context, type Io } from "./context";

/** A command's body: it gets the context and commander's arguments, and may return an exit code. */
export type CommandBody<A extends unknown[]> = (ctx: Context, ...args: A) => Promise<number | void>;

/** Turns command bodies into commander actions that share one Io and report their exit code. */
export class Runner {
  exitCode = 0;

  constructor(readonly io: Io) {}

  action<A extends unknown[]>(body: CommandBody<A>): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const ctx = new Context(this.io, Boolean(command.optsWithGlobals().json));
      this.exitCode = (await body(ctx, ...(args.slice(0, -1) as A))) ?? 0;
    };
  }
}
