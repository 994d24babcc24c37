import { sentMail } from "./fixtures";

/**
 * The newest team invitation link (src/server/teams/invitation-token.ts) the platform mailed to
 * `to`, or null while none has arrived. Raw .eml bodies are quoted-printable: soft breaks and
 * `=3D` are undone first.
 */
export function invitationLinkFor(mailDir: string, to: string): string | null {
  const addressed = new RegExp(`^To: .*${to.replace(/[.+]/g, "\\$&")}`, "mi");
  for (const mail of sentMail(mailDir).filter((m) => addressed.test(m)).reverse()) {
    const unfolded = mail.replace(/=\r?\n/g, "").replace(/=3D/gi, "=");
    const match = /(http:\/\/localhost:\d+\/teams\/invite\?token=[0-9A-Za-z_%-]+)/.exec(unfolded);
    if (match) return match[1]!;
  }
  return null;
}
