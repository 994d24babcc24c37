import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { safeEqual } from "../crypto/api-key";
import { deriveKey } from "../crypto/hkdf";
import type { Db } from "../db/client";
import { DomainError } from "../errors/domain-errors";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { AccountDeps } from "./account-deps";
import type { Actor } from "./actor";
import { auditContext } from "./client-context";

const SETUP_TOKEN_KEY_PURPOSE = "wisehosting-setup-token-v1";
const SETUP_ROW = 1;
// Crockford's base32: no I, L, O or U, so a token read off a terminal is typed back right.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const claimSetupRequest = z.object({ token: z.unknown() });
const tokenInput = z
  .string({ error: "Enter the setup token." })
  .max(100, "That is not a setup token.")
  .transform((t) => t.toUpperCase().replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^[0-9A-Z]{24}$/, "A setup token is 24 letters and digits, like ABCD-EFGH-…; copy it from the platform's output."));

const setupDone = () => new DomainError("CONFLICT", "This platform already has an administrator; the setup token no longer works. Ask an administrator for access.");
const wrongToken = () => new DomainError("UNAUTHORIZED", "That setup token is not right. Copy it again from the output of npm start or the web process's log.");

function format(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return out.match(/.{4}/g)!.join("-");
}

/**
 * This installation's setup token: an HMAC of the installation key under APP_SECRET. Every web
 * process and the launcher derive the same one without it being stored, and it survives
 * restarts until used. 24 base32 characters (120 bits).
 */
function tokenFor(appSecret: string, installationKey: string): string {
  const mac = createHmac("sha256", deriveKey(appSecret, SETUP_TOKEN_KEY_PURPOSE)).update(installationKey, "utf8").digest();
  return format(mac.subarray(0, 24));
}

/** The setup row, created on first use (concurrent creators agree: ON CONFLICT keeps the first). */
async function setupRow(db: Db): Promise<{ installationKey: string; completedAt: Date | null }> {
  await db.platformSetup.createMany({ data: [{ id: SETUP_ROW, installationKey: randomBytes(32).toString("hex") }], skipDuplicates: true });
  return db.platformSetup.findUniqueOrThrow({ where: { id: SETUP_ROW }, select: { installationKey: true, completedAt: true } });
}

/**
 * The token to print, or null when none is needed: the platform has an administrator (from an
 * earlier setup, ADMIN_EMAILS or an older installation whose first account was made one), or the
 * token was used. The first administrator is never "whoever signed up first".
 */
export async function currentSetupToken(deps: { db: Db; config: { APP_SECRET: string } }): Promise<string | null> {
  if ((await deps.db.user.count({ where: { role: "admin" } })) > 0) return null;
  const row = await setupRow(deps.db);
  return row.completedAt ? null : tokenFor(deps.config.APP_SECRET, row.installationKey);
}

/** Whether the setup page should offer the token form. */
export async function setupStatus(deps: Pick<AccountDeps, "db" | "config">): Promise<{ needed: boolean }> {
  return { needed: (await currentSetupToken(deps)) !== null };
}

/**
 * The signed-in caller becomes the first administrator by entering the setup token. The setup
 * row is locked for the whole check (SELECT … FOR UPDATE), so of two simultaneous claims exactly
 * one wins and the other finds setup complete; the token then never works again.
 */
export async function claimSetup(deps: AccountDeps, actor: Pick<Actor, "userId" | "session" | "client">, request: z.infer<typeof claimSetupRequest>): Promise<{ role: "admin" }> {
  await enforceLimits(deps.limiter, [
    { key: `setup:account:${actor.userId}`, rule: { limit: 10, windowSeconds: 300 } },
    { key: `setup:ip:${actor.client.ip || "unknown"}`, rule: { limit: 30, windowSeconds: 600 } },
  ]);
  const token = tokenInput.parse(request.token);
  await setupRow(deps.db);
  await deps.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ installation_key: string; completed_at: Date | null }[]>`
      SELECT installation_key, completed_at FROM platform_setup WHERE id = ${SETUP_ROW} FOR UPDATE`;
    if (!row || row.completed_at || (await tx.user.count({ where: { role: "admin" } })) > 0) throw setupDone();
    if (!safeEqual(tokenFor(deps.config.APP_SECRET, row.installation_key).replace(/-/g, ""), token)) throw wrongToken();
    await tx.user.update({ where: { id: actor.userId }, data: { role: "admin" } });
    await tx.platformSetup.update({ where: { id: SETUP_ROW }, data: { completedAt: deps.now(), completedByUserId: actor.userId } });
  });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "admin_granted", context: auditContext(actor.client, actor.session.id), metadata: { via: "setup_token" } });
  deps.log.info({ userId: actor.userId }, "first administrator set up with the setup token");
  return { role: "admin" };
}
