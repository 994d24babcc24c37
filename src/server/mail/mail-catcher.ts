import { SMTPServer } from "smtp-server";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import { summariseMime } from "./mime-summary";

/** Messages above this are refused by the catcher (the real mail queue caps bodies at 1 MB). */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

export interface MailCatcher {
  port: number;
  host: string;
  stop(): Promise<void>;
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/**
 * The development mail catcher (SMTP_URL unset): a real SMTP server on loopback that stores every
 * message in caught_mails for the dashboard's mail page instead of delivering it. A configured
 * port that is taken (another jobs process) falls back to a free one.
 */
export async function startMailCatcher(db: Db, options: { port?: number; host?: string; log?: Logger } = {}): Promise<MailCatcher> {
  const host = options.host ?? "127.0.0.1";
  const makeServer = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          if (stream.sizeExceeded) return callback(new Error("Message too large for the mail catcher"));
          const raw = Buffer.concat(chunks).toString("utf8");
          const summary = summariseMime(raw);
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address).join(", ");
          db.caughtMail
            .create({
              data: {
                fromAddr: summary.from || (session.envelope.mailFrom ? session.envelope.mailFrom.address : ""),
                toAddr: envelopeTo || summary.to,
                subject: summary.subject,
                text: summary.text,
                html: summary.html,
                raw,
              },
            })
            .then(() => callback(), (err: Error) => callback(err));
        });
      },
    });
  let server = makeServer();
  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || !options.port) throw err;
    options.log?.warn({ port: options.port }, "mail catcher port in use; using a free port");
    server = makeServer();
    port = await listen(server, 0, host);
  }
  server.on("error", (err: Error) => options.log?.warn({ err: err.message }, "mail catcher error"));
  return {
    port,
    host,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
