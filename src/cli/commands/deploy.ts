import type { Command } from "commander";
import { deploymentBodySchema, deploymentsSchema, type Deployment } from "../api-types";
import { appNotFound, appPath, type Context } from "../context";
import { deploymentOutcome, watchDeployment } from "../deployment-watch";
import { CliError, EXIT } from "../errors";
import type { Runner } from "../runner";

/** `wh deploy <app> [--wait]` and `wh rollback <app> [deployment] [--wait]`. */
export function registerDeployCommands(program: Command, runner: Runner): void {
  program
    .command("deploy")
    .description("deploy an app's branch; with --wait, stream the build log and exit with the result")
    .argument("<app>", "the app's name or id")
    .option("-w, --wait", "follow the deployment to its end: exit 0 when it succeeds, non-zero when it fails or is cancelled")
    .action(runner.action(async (ctx, app: string, options: { wait?: boolean }) => {
      const { deployment } = await ctx.client().request(`${appPath(app)}/deploy`, {
        method: "POST",
        body: {},
        schema: deploymentBodySchema,
        scope: "apps:deploy",
        notFound: appNotFound(app),
      });
      return finish(ctx, app, deployment, Boolean(options.wait));
    }));

  program
    .command("rollback")
    .description("run an earlier successful deployment's image again (default: the one before the current)")
    .argument("<app>", "the app's name or id")
    .argument("[deployment]", "the deployment to go back to: its number (#3 or 3) or id")
    .option("-w, --wait", "follow the rollback to its end, as deploy --wait does")
    .action(runner.action(async (ctx, app: string, target: string | undefined, options: { wait?: boolean }) => {
      const client = ctx.client();
      const { deployments } = await client.request(`${appPath(app)}/deployments`, { schema: deploymentsSchema, scope: "apps:read", notFound: appNotFound(app) });
      const chosen = chooseRollbackTarget(deployments, target, app);
      const { deployment } = await client.request(`${appPath(app)}/rollback`, {
        method: "POST",
        body: { deploymentId: Number(chosen.id) },
        schema: deploymentBodySchema,
        scope: "apps:deploy",
        notFound: appNotFound(app),
      });
      ctx.out.info(`Rolling ${app} back to deployment #${chosen.number}.`);
      return finish(ctx, app, deployment, Boolean(options.wait));
    }));
}

/**
 * The deployment a rollback goes to: the one named (by per-app number, then id), or else the
 * newest successful deployment before the newest successful one (the one running now).
 */
export function chooseRollbackTarget(deployments: Deployment[], target: string | undefined, app: string): Deployment {
  const byNumber = [...deployments].sort((a, b) => b.number - a.number);
  if (target !== undefined) {
    const wanted = target.replace(/^#/, "");
    const found = byNumber.find((d) => String(d.number) === wanted) ?? byNumber.find((d) => String(d.id) === wanted);
    if (!found) throw new CliError(`${app} has no deployment ${target}: wh status ${app} lists its recent deployments.`, EXIT.notFound, "NOT_FOUND");
    return found;
  }
  const succeeded = byNumber.filter((d) => d.status === "succeeded");
  if (succeeded.length < 2) {
    throw new CliError(`${app} has no earlier successful deployment to roll back to: name one with wh rollback ${app} <number>.`, EXIT.notFound, "NOT_FOUND");
  }
  return succeeded[1]!;
}

/** A deployment's status as the end of an English sentence ("Deployment #3 of shop failed."). */
const STATUS_PHRASES: Record<string, string> = {
  pending: "is queued",
  building: "is building",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "was cancelled",
};
export const statusPhrase = (status: string) => STATUS_PHRASES[status] ?? `is ${status}`;

async function finish(ctx: Context, app: string, deployment: Deployment, wait: boolean): Promise<number> {
  if (!wait) {
    ctx.out.result({ deployment }, () => [
      `Deployment #${deployment.number} of ${app} ${statusPhrase(deployment.status)}.`,
      `Follow it with wh deploy ${app} --wait next time, or check it with wh status ${app}.`,
    ]);
    return EXIT.ok;
  }
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once("SIGINT", onSigint);
  try {
    const final = await watchDeployment(ctx, deployment, interrupted.signal);
    const outcome = interrupted.signal.aborted
      ? { exitCode: 130, message: `Stopped watching deployment #${final.number}; it goes on on the platform: wh status ${app}.` }
      : deploymentOutcome(final, app);
    if (ctx.out.json) {
      ctx.out.result({ deployment: final }, () => "");
      if (outcome.exitCode !== EXIT.ok) ctx.out.info(outcome.message);
    } else if (outcome.exitCode === EXIT.ok) ctx.out.result(null, () => outcome.message);
    else ctx.out.info(outcome.message);
    return outcome.exitCode;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
