import { DomainError } from "../errors/domain-errors";

/** One message for unknown email and wrong password, so sign-in does not reveal accounts. */
export const invalidCredentials = () => new DomainError("UNAUTHORIZED", "Email or password is incorrect. Check both and try again.");

export const challengeExpired = () =>
  new DomainError("UNAUTHORIZED", "Your sign-in has expired or was already used. Sign in again.", { restartSignIn: true });

export const invalidCode = () => new DomainError("UNAUTHORIZED", "That code is not valid. Enter the current code from your authenticator app, or a backup code.");

export const sudoRequired = () =>
  new DomainError("FORBIDDEN", "For your security, confirm your password or a 2FA code first (required every 2 hours for this action).", {
    reauthRequired: true,
  });
