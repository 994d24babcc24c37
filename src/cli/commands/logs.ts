import type { Command } from "commander";
import { logLineSchema, logLinesSchema } from "../api-types";
import { appNotFound, appPath } from "../context";
import { eventJson, followEvents } from "../event-stream";
import { formatLogLine } from "../output";
import type { Runner } from "../runner";

/** `wh logs <app> [-f]`: the app's recent runtime log, or its live log until Ctrl-C. */
export function registerLogCommands(program: Command, runner: Runner): void {
  program
    .command("logs")
    .description("print an app's recent runtime log; -f keeps following it (Ctrl-C stops)")
    .argument("<app>", "the app's name or id")
    .option("-f, --follow", "keep printing new lines as the app writes them")
    .action(runner.action(async (ctx, app: string, options: { follow?: boolean }) => {
      const client = ctx.client();
      if (!options.follow) {
        const { lines } = await client.request(`${appPath(app)}/logs`, { schema: logLinesSchema, scope: "logs:read", notFound: appNotFound(app) });
        ctx.out.result({ lines }, () => (lines.length ? lines.map(formatLogLine) : `No log lines from ${app} yet.`));
        return;
      }
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once("SIGINT", onSigint);
      try {
        await followEvents(client, `${appPath(app)}/logs?follow=1`, {
          scope: "logs:read",
          notFound: appNotFound(app),
          signal: stop.signal,
          onEvent: (message) => {
            if (message.event !== "line") return;
            const parsed = logLineSchema.safeParse(eventJson(message.data));
            if (parsed.success) ctx.out.item(parsed.data, () => formatLogLine(parsed.data));
          },
          // The server closes a live log when the token loses access; reconnecting tells us why.
          // A reconnect sends the last line's id, so the server resumes after it (docs/api.md).
          onDrop: () => true,
          notice: (text) => ctx.out.info(text),
        });
      } finally {
        process.off("SIGINT", onSigint);
      }
    }));
}
