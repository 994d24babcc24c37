import nodemailer, { type Transporter } from "nodemailer";

export interface MailTransport {
  send(message: { from: string; to: string; subject: string; html: string; text: string }): Promise<{ messageId: string }>;
  close(): void;
  /** Where mail goes, without credentials, for logs. */
  describe(): string;
}

/** Sends through the SMTP server in `smtpUrl` (smtp:// or smtps://, credentials in the URL). */
export function createSmtpTransport(smtpUrl: string, options: { timeoutMs?: number } = {}): MailTransport {
  const timeout = options.timeoutMs ?? 20_000;
  const transporter: Transporter = nodemailer.createTransport(smtpUrl, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as never);
  const url = new URL(smtpUrl);
  return {
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: String(info.messageId ?? "") };
    },
    close: () => transporter.close(),
    describe: () => `${url.protocol}//${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)}`,
  };
}
