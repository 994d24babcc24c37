import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { AppConfig } from "../config/config";
import { Prisma } from "../db/client";
import { notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { mailCatcherAllowed } from "./mail-catcher-mode";

const LIST_LIMIT = 50;

export const caughtMailIdInput = z.object({ id: z.number().int().positive().max(2_147_483_647) });

type Deps = Pick<Services, "db" | "config">;
type Reader = Pick<Actor, "email" | "role">;

/** The catcher only exists in an explicit development or test mode; so does its page. */
function requireCatcher(config: Pick<AppConfig, "NODE_ENV" | "modeDeclared">): void {
  if (!mailCatcherAllowed(config)) throw notFound("Mail catcher");
}

/** The envelope recipients as stored ("a@x, b@y"), lower case. */
function recipients(toAddr: string): string[] {
  return toAddr.split(",").map((r) => r.trim().toLowerCase()).filter(Boolean);
}

/**
 * Whether the reader may see a message: administrators see every message, anyone else only
 * mail whose envelope names their own address exactly (not as a substring: bob@x must not see
 * mail for evilbob@x).
 */
function mayRead(reader: Reader, toAddr: string): boolean {
  return reader.role === "admin" || recipients(toAddr).includes(reader.email.toLowerCase());
}

export interface CaughtMailSummary {
  id: number;
  fromAddr: string;
  toAddr: string;
  subject: string;
  receivedAt: Date;
}

/** Newest first: every message for an administrator, the reader's own mail for anyone else. */
export async function listCaughtMail(deps: Deps, reader: Reader): Promise<CaughtMailSummary[]> {
  requireCatcher(deps.config);
  const onlyMine =
    reader.role === "admin" ? Prisma.empty : Prisma.sql`WHERE ${reader.email.toLowerCase()} = ANY (regexp_split_to_array(lower(to_addr), '\\s*,\\s*'))`;
  const rows = await deps.db.$queryRaw<{ id: number; from_addr: string; to_addr: string; subject: string; received_at: Date }[]>`
    SELECT id, from_addr, to_addr, subject, received_at FROM caught_mails ${onlyMine} ORDER BY id DESC LIMIT ${LIST_LIMIT}`;
  return rows.map((r) => ({ id: r.id, fromAddr: r.from_addr, toAddr: r.to_addr, subject: r.subject, receivedAt: r.received_at }));
}

/** One message; another recipient's message is "not found", like a missing one. */
export async function getCaughtMail(deps: Deps, reader: Reader, { id }: z.infer<typeof caughtMailIdInput>) {
  requireCatcher(deps.config);
  const mail = await deps.db.caughtMail.findUnique({ where: { id }, select: { id: true, fromAddr: true, toAddr: true, subject: true, text: true, html: true, receivedAt: true } });
  if (!mail || !mayRead(reader, mail.toAddr)) throw notFound("Message");
  return mail;
}
