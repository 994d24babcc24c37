import type { Command } from "commander";
import { teamsSchema } from "../api-types";
import { table } from "../output";
import type { Runner } from "../runner";

/** `wh teams`: the team the token belongs to (a token is scoped to one team, docs/api.md). */
export function registerTeamCommands(program: Command, runner: Runner): void {
  program
    .command("teams")
    .description("list the team this token can act in")
    .action(runner.action(async (ctx) => {
      const { teams } = await ctx.client().request("/teams", { schema: teamsSchema });
      ctx.out.result({ teams }, () => table(["ID", "NAME", "ROLE", "KIND"], teams.map((t) => [t.id, t.name, t.role, t.personal ? "personal" : "shared"])));
    }));
}
