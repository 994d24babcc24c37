import { sentMail } from "./fixtures";

/** Undoes quoted-printable soft breaks and `=3D` so links can be read out of a raw .eml. */
function unfold(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=3D/gi, "=");
}

/**
 * The newest email-confirmation link (src/server/auth/email-link.ts) the platform mailed to
 * `to`, or null while none has arrived. Verification and email-change mails both carry one.
 */
export function confirmationLinkFor(mailDir: string, to: string): string | null {
  const mails = sentMail(mailDir).filter((m) => new RegExp(`^To: .*${to.replace(/[.+]/g, "\\$&")}`, "mi").test(m));
  for (const mail of mails.reverse()) {
    const match = /(http:\/\/localhost:\d+\/confirm-email\?token=[0-9A-Za-z.%]+)/.exec(unfold(mail));
    if (match) return match[1]!;
  }
  return null;
}
