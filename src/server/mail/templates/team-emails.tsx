import { renderAction, type RenderedEmail } from "./account-emails";

/** Sent to an invited address: the link opens the invitation page (src/app/teams/invite). */
export function renderTeamInvitationEmail(p: { teamName: string; inviterName: string; role: string; url: string; expiresAt: Date }): Promise<RenderedEmail> {
  return renderAction(`You are invited to the team ${p.teamName} on WiseHosting`, {
    preview: `${p.inviterName} invited you to ${p.teamName}`,
    heading: `Join ${p.teamName}`,
    paragraphs: [
      `${p.inviterName} invited you to the team ${p.teamName} as ${p.role}.`,
      "Open the link, sign in or create an account with this email address, and accept. Only this address can accept the invitation.",
      `The link works until ${p.expiresAt.toUTCString()}.`,
    ],
    action: { label: "Open the invitation", url: p.url },
    footer: "If you did not expect this, ignore the mail: nothing happens until the invitation is accepted.",
  });
}
