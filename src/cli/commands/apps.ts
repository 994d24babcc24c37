import type { Command } from "commander";
import { appBodySchema, appsSchema, deploymentsSchema, type App } from "../api-types";
import { appNotFound, appPath } from "../context";
import { CliError, EXIT, usageError } from "../errors";
import { openInBrowser } from "../open-browser";
import { ago, shortSha, table } from "../output";
import type { Runner } from "../runner";

interface CreateOptions {
  repo: string;
  branch?: string;
  port?: string;
  deploy?: boolean;
}

/** `wh apps [list]`, `wh apps create`, `wh status <app>`, `wh open <app>`. */
export function registerAppCommands(program: Command, runner: Runner): void {
  const apps = program.command("apps").description("list or create the team's apps");
  apps
    .command("list", { isDefault: true })
    .description("list the apps of the token's team")
    .action(runner.action(async (ctx) => {
      const { apps: list } = await ctx.client().request("/apps", { schema: appsSchema, scope: "apps:read" });
      ctx.out.result({ apps: list }, () =>
        list.length === 0
          ? "No apps in this team yet: create one with wh apps create <name> --repo <git url>."
          : table(
              ["NAME", "STATUS", "URL", "RUNNING", "CREATED"],
              list.map((a) => [a.name, a.status, a.url, a.currentDeployment ? `#${a.currentDeployment.number} ${shortSha(a.currentDeployment.commitSha)}` : "", ago(a.createdAt)]),
            ),
      );
    }));

  apps
    .command("create")
    .description("create an app from a git repository")
    .argument("[name]", "the app's name (default: a generated one)")
    .requiredOption("--repo <url>", "the git repository to build")
    .option("--branch <branch>", "the branch to build", "main")
    .option("--port <port>", "the port the app listens on inside its container")
    .option("--deploy", "start the first deployment right away")
    .action(runner.action(async (ctx, name: string | undefined, options: CreateOptions) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) throw usageError(`--port ${options.port} is not a port number (1-65535).`);
      const body = { name, repoUrl: options.repo, branch: options.branch, internalPort: port, deploy: Boolean(options.deploy) };
      const { app } = await ctx.client().request("/apps", { method: "POST", body, schema: appBodySchema, scope: "apps:write" });
      ctx.out.result({ app }, () => [`Created ${app.name}.`, options.deploy ? `Deploying: follow it with wh logs ${app.name} -f.` : `Deploy it with wh deploy ${app.name} --wait.`]);
    }));

  program
    .command("status")
    .description("show an app's state, address and recent deployments")
    .argument("<app>", "the app's name or id")
    .action(runner.action(async (ctx, appName: string) => {
      const client = ctx.client();
      const { app } = await client.request(appPath(appName), { schema: appBodySchema, scope: "apps:read", notFound: appNotFound(appName) });
      const { deployments } = await client.request(`${appPath(appName)}/deployments`, { schema: deploymentsSchema, scope: "apps:read", notFound: appNotFound(appName) });
      const recent = [...deployments].sort((a, b) => b.number - a.number).slice(0, 5);
      ctx.out.result({ app, deployments: recent }, () => [
        `${app.name}: ${app.status}`,
        `URL: ${app.url || "none yet (it gets one when a deployment succeeds)"}`,
        ...(recent.length
          ? ["", ...table(["DEPLOYMENT", "STATUS", "COMMIT", "CREATED", "ERROR"], recent.map((d) => [`#${d.number}`, d.status, shortSha(d.commitSha), ago(d.createdAt), d.error]))]
          : ["No deployments yet: wh deploy " + app.name + " --wait"]),
      ]);
    }));

  program
    .command("open")
    .description("print an app's URL and open it in the browser")
    .argument("<app>", "the app's name or id")
    .option("--no-browser", "only print the URL")
    .action(runner.action(async (ctx, appName: string, options: { browser: boolean }) => {
      const { app } = await ctx.client().request(appPath(appName), { schema: appBodySchema, scope: "apps:read", notFound: appNotFound(appName) });
      const url = requireUrl(app);
      const opened = options.browser && !ctx.out.json && Boolean(ctx.io.stdout.isTTY) ? await openInBrowser(url) : false;
      ctx.out.result({ url, opened }, () => url);
    }));
}

function requireUrl(app: App): string {
  if (!app.url) throw new CliError(`${app.name} has no URL yet: it gets one when a deployment succeeds (wh deploy ${app.name} --wait).`, EXIT.notFound, "NO_URL");
  return app.url;
}
