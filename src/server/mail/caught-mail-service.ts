import type { AppConfig } from "../config/config";
import type { Db } from "../db/client";
import { notFound } from "../errors/domain-errors";

/** The mail catcher only exists outside production; so does its page. */
function requireDevelopment(config: Pick<AppConfig, "isProduction">): void {
  if (config.isProduction) throw notFound("Mail catcher");
}

export async function listCaughtMail(db: Db, config: Pick<AppConfig, "isProduction">, limit = 50) {
  requireDevelopment(config);
  return db.caughtMail.findMany({ orderBy: { id: "desc" }, take: limit, select: { id: true, fromAddr: true, toAddr: true, subject: true, receivedAt: true } });
}

export async function getCaughtMail(db: Db, config: Pick<AppConfig, "isProduction">, id: number) {
  requireDevelopment(config);
  const mail = await db.caughtMail.findUnique({ where: { id }, select: { id: true, fromAddr: true, toAddr: true, subject: true, text: true, html: true, receivedAt: true } });
  if (!mail) throw notFound("Message");
  return mail;
}
