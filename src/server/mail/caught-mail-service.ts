import { z } from "zod";
import type { AppConfig } from "../config/config";
import { notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";

const LIST_LIMIT = 50;

export const caughtMailIdInput = z.object({ id: z.number().int().positive() });

/** The mail catcher only exists outside production; so does its page. */
function requireDevelopment(config: Pick<AppConfig, "isProduction">): void {
  if (config.isProduction) throw notFound("Mail catcher");
}

export async function listCaughtMail({ db, config }: Pick<Services, "db" | "config">) {
  requireDevelopment(config);
  return db.caughtMail.findMany({ orderBy: { id: "desc" }, take: LIST_LIMIT, select: { id: true, fromAddr: true, toAddr: true, subject: true, receivedAt: true } });
}

export async function getCaughtMail({ db, config }: Pick<Services, "db" | "config">, { id }: z.infer<typeof caughtMailIdInput>) {
  requireDevelopment(config);
  const mail = await db.caughtMail.findUnique({ where: { id }, select: { id: true, fromAddr: true, toAddr: true, subject: true, text: true, html: true, receivedAt: true } });
  if (!mail) throw notFound("Message");
  return mail;
}
