import { Command, CommanderError } from "commander";
import { registerAppCommands } from "./commands/apps";
import { registerAuthCommands } from "./commands/auth";
import { registerDeployCommands } from "./commands/deploy";
import { registerEnvCommands } from "./commands/env";
import { registerLogCommands } from "./commands/logs";
import { registerTeamCommands } from "./commands/teams";
import { CLI_VERSION, type Io } from "./context";
import { CliError, EXIT } from "./errors";
import { Output } from "./output";
import { Runner } from "./runner";

/** The `wh` program: one register function per command group (src/cli/commands/); docs/cli.md. */
export function buildProgram(runner: Runner): Command {
  const program = new Command("wh")
    .description("WiseHosting from the terminal and from CI (docs/cli.md)")
    .version(CLI_VERSION, "-V, --version")
    .option("--json", "print results as JSON on stdout (messages go to stderr)")
    .showHelpAfterError("(run wh --help or wh <command> --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => runner.io.stdout.write(s), writeErr: (s) => runner.io.stderr.write(s) });
  registerAuthCommands(program, runner);
  registerTeamCommands(program, runner);
  registerAppCommands(program, runner);
  registerDeployCommands(program, runner);
  registerLogCommands(program, runner);
  registerEnvCommands(program, runner);
  return program;
}

/** Runs `wh` with these arguments (process.argv shape) and answers the exit code (src/cli/errors.ts). */
export async function main(argv: string[], io: Io = { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const runner = new Runner(io);
  try {
    await buildProgram(runner).parseAsync(argv);
    return runner.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here too, with code 0; anything else is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const out = new Output(argv.includes("--json"), io.stdout, io.stderr);
    if (err instanceof CliError) {
      out.error(err);
      return err.exitCode;
    }
    out.error(new CliError(`Unexpected failure: ${(err as Error).stack ?? String(err)}`, EXIT.failed, "INTERNAL"));
    return EXIT.failed;
  }
}
