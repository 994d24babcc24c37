import type { Logger } from "pino";
import type { AppConfig } from "../server/config/config";
import type { Db } from "../server/db/client";
import { startMailCatcher, type MailCatcher } from "../server/mail/mail-catcher";
import { mailCatcherAllowed } from "../server/mail/mail-catcher-mode";
import { createSmtpTransport, type MailTransport } from "../server/mail/mail-transport";

export interface MailSetup {
  transport: MailTransport | null;
  catcher: MailCatcher | null;
  stop(): Promise<void>;
}

/**
 * SMTP_URL → real delivery. Unset in an explicit development or test mode (mail-catcher-mode.ts)
 * → the built-in catcher, and mail goes to it over real SMTP. Unset otherwise (production, or no
 * mode set at all) → no transport: email jobs stay queued (nothing lost) until a process with
 * SMTP configured picks them up.
 */
export async function setUpMail(config: AppConfig, db: Db, log: Logger): Promise<MailSetup> {
  if (config.SMTP_URL) {
    const transport = createSmtpTransport(config.SMTP_URL);
    log.info({ via: transport.describe() }, "mail goes out through SMTP");
    return { transport, catcher: null, stop: async () => transport.close() };
  }
  if (!mailCatcherAllowed(config)) {
    log.error("SMTP_URL is not set: emails stay queued and are not sent. Set SMTP_URL, or WH_ENV=development for the built-in mail catcher (see .env.example).");
    return { transport: null, catcher: null, stop: async () => undefined };
  }
  const catcher = await startMailCatcher(db, { port: config.MAIL_CATCHER_PORT || undefined, log });
  const transport = createSmtpTransport(`smtp://${catcher.host}:${catcher.port}`);
  log.info({ port: catcher.port }, "development mail catcher listening; messages appear on the dashboard's Mail page");
  return {
    transport,
    catcher,
    async stop() {
      transport.close();
      await catcher.stop();
    },
  };
}
