import type { z } from "zod";
import QRCode from "qrcode";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { AccountDeps } from "../auth/account-deps";
import type { Actor } from "../auth/actor";
import { invalidCode } from "../auth/auth-errors";
import { secondFactorLimits } from "../auth/auth-limits";
import { auditContext } from "../auth/client-context";
import { requireSudo } from "../auth/require-sudo";
import { conflict, DomainError } from "../errors/domain-errors";
import { enforceLimits } from "../rate-limit/enforce-limits";
import { remainingBackupCodes, replaceBackupCodes } from "./backup-codes";
import { checkTotp, parseCode, type secondFactorCodeRequest } from "./check-second-factor";
import { newTotpSecret, totpUri } from "./totp";
import { sealTotpSecret } from "./totp-secret-store";

type Caller = Pick<Actor, "userId" | "session" | "client">;
type CodeRequest = z.infer<typeof secondFactorCodeRequest>;

const notEnabled = () => new DomainError("PRECONDITION_FAILED", "Two-factor authentication is not on for this account.");

export async function totpStatus(deps: Pick<AccountDeps, "db">, actor: Pick<Actor, "userId">) {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpEnabled: true, totpVerifiedAt: true } });
  return { enabled: user.totpEnabled, enabledAt: user.totpVerifiedAt, backupCodesLeft: user.totpEnabled ? await remainingBackupCodes(deps.db, actor.userId) : 0 };
}

/**
 * Sudo. Setup step 1: a new secret (stored encrypted, not yet active), its otpauth URI and a QR
 * code. Turning 2FA on needs a recent password check like turning it off: otherwise a stolen
 * session could add its own authenticator and lock the owner out.
 */
export async function beginTotpSetup(deps: Pick<AccountDeps, "db" | "cipher" | "now">, actor: Pick<Actor, "userId" | "session">) {
  requireSudo(actor.session, deps.now());
  const { userId } = actor;
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpEnabled: true } });
  if (user.totpEnabled) throw conflict("Two-factor authentication is already on. Turn it off first to use a new authenticator.");
  const secret = newTotpSecret();
  await deps.db.user.update({ where: { id: userId }, data: { totpSecret: sealTotpSecret(deps.cipher, userId, secret), totpLastStep: null } });
  const uri = totpUri(user.email, secret);
  const qrDataUrl = await QRCode.toDataURL(uri, { margin: 1, width: 220, errorCorrectionLevel: "M" });
  return { secret, uri, qrDataUrl };
}

/** Sudo. Setup step 2: the first valid code turns 2FA on and returns 10 backup codes, shown once. */
export async function enableTotp(deps: AccountDeps, caller: Caller, request: CodeRequest): Promise<{ backupCodes: string[] }> {
  const { client } = caller;
  requireSudo(caller.session, deps.now());
  await enforceLimits(deps.limiter, secondFactorLimits(caller.userId, client.ip));
  const code = parseCode(request.code, false);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { totpEnabled: true, totpSecret: true } });
  if (user.totpEnabled) throw conflict("Two-factor authentication is already on.");
  if (!user.totpSecret) throw new DomainError("PRECONDITION_FAILED", "Start the setup first: scan the QR code, then enter a code.");
  if (!(await checkTotp(deps, caller.userId, user.totpSecret, code, client))) throw invalidCode();
  const turnedOn = await deps.db.user.updateMany({ where: { id: caller.userId, totpEnabled: false }, data: { totpEnabled: true, totpVerifiedAt: deps.now() } });
  if (turnedOn.count !== 1) throw conflict("Two-factor authentication is already on.");
  const backupCodes = await replaceBackupCodes(deps.db, caller.userId);
  await deps.db.session.updateMany({ where: { id: caller.session.id }, data: { twoFactor: true } });
  await recordAuditEvent(deps.db, { userId: caller.userId, kind: "totp_enabled", context: auditContext(client, caller.session.id) });
  return { backupCodes };
}

/** Sudo + a current code. Clears the secret, the backup codes and pending challenges. */
export async function disableTotp(deps: AccountDeps, caller: Caller, request: CodeRequest): Promise<{ enabled: false }> {
  const { client } = caller;
  requireSudo(caller.session, deps.now());
  await enforceLimits(deps.limiter, secondFactorLimits(caller.userId, client.ip));
  const code = parseCode(request.code, false);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { totpEnabled: true, totpSecret: true } });
  if (!user.totpEnabled) throw notEnabled();
  if (!(await checkTotp(deps, caller.userId, user.totpSecret, code, client))) throw invalidCode();
  await deps.db.$transaction([
    deps.db.user.update({ where: { id: caller.userId }, data: { totpEnabled: false, totpSecret: null, totpVerifiedAt: null } }),
    deps.db.backupCode.deleteMany({ where: { userId: caller.userId } }),
    deps.db.pendingTotp.deleteMany({ where: { userId: caller.userId } }),
  ]);
  await recordAuditEvent(deps.db, { userId: caller.userId, kind: "totp_disabled", context: auditContext(client, caller.session.id) });
  return { enabled: false };
}

/** Sudo: a new set of 10 codes; the old set stops working. */
export async function regenerateBackupCodes(deps: Pick<AccountDeps, "db" | "now">, caller: Caller): Promise<{ backupCodes: string[] }> {
  const { client } = caller;
  requireSudo(caller.session, deps.now());
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { totpEnabled: true } });
  if (!user.totpEnabled) throw notEnabled();
  const backupCodes = await replaceBackupCodes(deps.db, caller.userId);
  await recordAuditEvent(deps.db, { userId: caller.userId, kind: "backup_codes_regenerated", context: auditContext(client, caller.session.id) });
  return { backupCodes };
}
