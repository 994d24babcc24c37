import type { Command } from "commander";
import { meSchema, type Me } from "../api-types";
import { normalisePlatformUrl } from "../credentials";
import { usageError } from "../errors";
import { promptSecret, readStdin } from "../prompt";
import type { Runner } from "../runner";
import type { Context } from "../context";

interface LoginOptions {
  token?: string;
  tokenStdin?: boolean;
}

/** `wh login`, `wh logout`, `wh whoami`. */
export function registerAuthCommands(program: Command, runner: Runner): void {
  program
    .command("login")
    .description("check a token against the platform and store it (mode 0600) for the next commands")
    .argument("[url]", "the dashboard's address, e.g. https://paas.example.com (default: $WH_URL)")
    .option("--token <token>", "the API token (wh_…); prefer --token-stdin or the prompt, which keep it out of the shell history")
    .option("--token-stdin", "read the token from stdin")
    .action(runner.action(async (ctx, urlArg: string | undefined, options: LoginOptions) => {
      const rawUrl = urlArg ?? ctx.io.env.WH_URL;
      if (!rawUrl) throw usageError("Give the dashboard's address: wh login https://paas.example.com");
      const url = normalisePlatformUrl(rawUrl);
      const token = await readToken(ctx, options);
      const me = await ctx.clientFor({ url, token, source: "config" }).request("/me", { schema: meSchema });
      ctx.store.write({ url, token, user: me.user.email, team: me.team.name });
      ctx.out.result({ url, ...me, configPath: ctx.store.path }, () => [`Logged in to ${url} as ${describe(me)}.`, `Token stored in ${ctx.store.path}.`]);
    }));

  program
    .command("logout")
    .description("forget the stored token (it stays valid until it expires or is revoked on the dashboard)")
    .action(runner.action(async (ctx) => {
      const removed = ctx.store.remove();
      ctx.out.result({ removed, configPath: ctx.store.path }, () =>
        removed
          ? [`Removed ${ctx.store.path}.`, "The token itself still works until it expires: revoke it in the dashboard under Settings → API tokens if it may have leaked."]
          : `Not logged in (no ${ctx.store.path}).`,
      );
    }));

  program
    .command("whoami")
    .description("show the user, team, role and scopes of the token in use")
    .action(runner.action(async (ctx) => {
      const client = ctx.client();
      const me = await client.request("/me", { schema: meSchema });
      ctx.out.result({ url: client.credentials.url, ...me }, () => [`${describe(me)} on ${client.credentials.url}.`]);
    }));
}

function describe(me: Me): string {
  const expiry = me.tokenExpiresAt ? `, token expires ${me.tokenExpiresAt}` : ", token does not expire";
  return `${me.user.email} in team ${me.team.name} (${me.role}; scopes ${me.scopes.join(", ") || "none"}${expiry})`;
}

async function readToken(ctx: Context, options: LoginOptions): Promise<string> {
  const token = options.tokenStdin
    ? (await readStdin(ctx.io)).trim()
    : (options.token ?? ctx.io.env.WH_TOKEN ?? (ctx.io.stdin.isTTY ? await promptSecret(ctx.io, "API token (create one in the dashboard under Settings → API tokens): ") : ""));
  if (!token) throw usageError("No token given: pass --token-stdin (or --token), or run wh login in a terminal to be asked for it.");
  return token.trim();
}
