import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { AccountDeps } from "../auth/account-deps";
import { invalidCode } from "../auth/auth-errors";
import { auditContext, type ClientInfo } from "../auth/client-context";
import { validation } from "../errors/domain-errors";
import { BACKUP_CODE_PATTERN, consumeBackupCode } from "./backup-codes";
import { consumeTotpStep } from "./consume-totp-step";
import { matchTotpStep } from "./totp";
import { openTotpSecret } from "./totp-secret-store";

const FORMAT_HINT = "Enter the 6-digit code from your authenticator app (digits only), or a backup code like abcde-fghjk.";

/** What the procedures accept: the code is validated after the attempt is counted toward the rate limit. */
export const secondFactorCodeRequest = z.object({ code: z.unknown() });

/** Exactly six digits, or a backup code; no trimming, so " 123456" is refused like any typo. */
export const secondFactorCodeSchema = z.union([z.string().regex(/^\d{6}$/), z.string().regex(BACKUP_CODE_PATTERN)], { error: FORMAT_HINT });
export const totpCodeSchema = z.string({ error: "Enter the 6-digit code from your authenticator app." }).regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app (digits only).");

/** Parses an untrusted code; callers count the attempt against the rate limit first. */
export function parseCode(raw: unknown, allowBackup: boolean): string {
  const parsed = (allowBackup ? secondFactorCodeSchema : totpCodeSchema).safeParse(raw);
  if (!parsed.success) throw validation(allowBackup ? FORMAT_HINT : "Enter the 6-digit code from your authenticator app (digits only).", { field: "code" });
  return parsed.data;
}

/**
 * Checks a TOTP code (replay-proof) against the user's stored secret. Returns false for a wrong
 * code; throws when the secret cannot be read, so a broken secret never skips the check.
 */
export async function checkTotp(deps: AccountDeps, userId: number, storedSecret: string | null, code: string, client: ClientInfo): Promise<boolean> {
  const secret = openTotpSecret(deps.cipher, userId, storedSecret);
  const step = await matchTotpStep(secret, code, deps.now());
  if (step === null) return false;
  if (await consumeTotpStep(deps.db, userId, step)) return true;
  await recordAuditEvent(deps.db, { userId, kind: "totp_replay_refused", context: auditContext(client), metadata: { step } });
  deps.log.warn({ userId, step }, "TOTP code reuse refused");
  return false;
}

/** A TOTP or backup code for a user with 2FA on; throws invalidCode when neither matches. */
export async function checkSecondFactor(
  deps: AccountDeps,
  user: { id: number; totpSecret: string | null },
  rawCode: unknown,
  client: ClientInfo,
  opts: { allowBackup: boolean },
): Promise<"totp" | "backup"> {
  const code = parseCode(rawCode, opts.allowBackup);
  if (/^\d{6}$/.test(code)) {
    if (await checkTotp(deps, user.id, user.totpSecret, code, client)) return "totp";
    throw invalidCode();
  }
  if (await consumeBackupCode(deps.db, user.id, code, deps.now())) {
    await recordAuditEvent(deps.db, { userId: user.id, kind: "backup_code_used", context: auditContext(client) });
    return "backup";
  }
  throw invalidCode();
}
