import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { envPutSchema, envVarsSchema, okSchema } from "../api-types";
import { appNotFound, appPath, type Context } from "../context";
import { checkedKeys, varsFromAssignments, varsFromDotenv } from "../env-input";
import { usageError } from "../errors";
import { readStdin } from "../prompt";
import { table } from "../output";
import type { Runner } from "../runner";

/** `wh env list|set|unset|import` for one app's environment variables. */
export function registerEnvCommands(program: Command, runner: Runner): void {
  const env = program.command("env").description("list, set, unset or import an app's environment variables");

  env
    .command("list")
    .description("list an app's variables (values only when the token has env:read and the role may see secrets)")
    .argument("<app>", "the app's name or id")
    .action(runner.action(async (ctx, app: string) => {
      const { vars } = await ctx.client().request(`${appPath(app)}/env`, { schema: envVarsSchema, scope: "env:read", notFound: appNotFound(app) });
      ctx.out.result({ vars }, () =>
        vars.length === 0 ? `${app} has no environment variables.` : table(["KEY", "VALUE"], vars.map((v) => [v.key, v.value ?? "(hidden)"])),
      );
    }));

  env
    .command("set")
    .description("set (add or replace) variables: wh env set my-app KEY=value OTHER=value")
    .argument("<app>", "the app's name or id")
    .argument("<assignments...>", "KEY=value pairs")
    .action(runner.action(async (ctx, app: string, assignments: string[]) => put(ctx, app, varsFromAssignments(assignments))));

  env
    .command("unset")
    .description("remove variables")
    .argument("<app>", "the app's name or id")
    .argument("<keys...>", "the keys to remove")
    .action(runner.action(async (ctx, app: string, rawKeys: string[]) => {
      const keys = checkedKeys(rawKeys);
      const client = ctx.client();
      for (const key of keys) {
        await client.request(`${appPath(app)}/env/${encodeURIComponent(key)}`, {
          method: "DELETE",
          schema: okSchema,
          scope: "env:write",
          notFound: `No app "${app}" in this token's team, or it has no variable ${key}: wh env list ${app} shows them.`,
        });
      }
      ctx.out.result({ ok: true, removed: keys, redeployNeeded: true }, () => [`Removed ${keys.join(", ")} from ${app}.`, redeployHint(app)]);
    }));

  env
    .command("import")
    .description("set every variable of a .env file (- reads stdin); a bad line refuses the whole file")
    .argument("<app>", "the app's name or id")
    .argument("<file>", "the .env file, or - for stdin")
    .action(runner.action(async (ctx, app: string, file: string) => {
      const text = file === "-" ? await readStdin(ctx.io) : readEnvFile(file);
      return put(ctx, app, varsFromDotenv(text, file === "-" ? "stdin" : file));
    }));
}

async function put(ctx: Context, app: string, vars: Record<string, string>): Promise<void> {
  const result = await ctx.client().request(`${appPath(app)}/env`, { method: "PUT", body: { vars }, schema: envPutSchema, scope: "env:write", notFound: appNotFound(app) });
  const keys = Object.keys(vars);
  ctx.out.result({ ...result, set: keys }, () => [`Set ${keys.join(", ")} on ${app}.`, ...(result.redeployNeeded === false ? [] : [redeployHint(app)])]);
}

const redeployHint = (app: string) => `The running app keeps its old environment until the next deployment: wh deploy ${app} --wait.`;

function readEnvFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(code === "ENOENT" ? `${file} does not exist.` : `Cannot read ${file}: ${(err as Error).message}.`);
  }
}
