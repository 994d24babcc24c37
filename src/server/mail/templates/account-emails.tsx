import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Text } from "@react-email/components";
import { render } from "@react-email/render";

// The dashboard's dark palette (src/app/globals.css), inlined because mail clients ignore <style>.
const colors = { surface: "#0f1115", panel: "#161a21", line: "#2a303b", muted: "#8b93a3", accent: "#7c9cff", text: "#e6e9ef" };

export interface ActionEmailProps {
  preview: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer: string;
}

/** One layout for the account mails: a heading, a few sentences, at most one button. */
function ActionEmail(props: ActionEmailProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={{ backgroundColor: colors.surface, fontFamily: "system-ui, -apple-system, Segoe UI, sans-serif", margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: colors.panel, border: `1px solid ${colors.line}`, borderRadius: 8, padding: 24, maxWidth: 520 }}>
          <Heading as="h1" style={{ color: colors.text, fontSize: 20, margin: "0 0 12px" }}>
            {props.heading}
          </Heading>
          {props.paragraphs.map((p) => (
            <Text key={p} style={{ color: colors.text, fontSize: 14 }}>
              {p}
            </Text>
          ))}
          {props.action ? (
            <>
              <Button href={props.action.url} style={{ backgroundColor: colors.accent, color: colors.surface, borderRadius: 6, padding: "10px 16px", fontSize: 14, fontWeight: 600 }}>
                {props.action.label}
              </Button>
              <Text style={{ color: colors.muted, fontSize: 12 }}>Or open this address: {props.action.url}</Text>
            </>
          ) : null}
          <Hr style={{ borderColor: colors.line, margin: "24px 0 12px" }} />
          <Text style={{ color: colors.muted, fontSize: 12 }}>{props.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Renders the shared layout; other mail templates (team-emails.tsx) use it too. */
export async function renderAction(subject: string, props: ActionEmailProps): Promise<RenderedEmail> {
  const element = <ActionEmail {...props} />;
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject, html, text };
}

/** Sent to a new account's address: the link proves it (and, for ADMIN_EMAILS, grants admin). */
export function renderVerifyEmail(p: { email: string; url: string; dashboardUrl: string }): Promise<RenderedEmail> {
  return renderAction("Confirm your email address for WiseHosting", {
    preview: "Confirm your email address",
    heading: "Confirm your email address",
    paragraphs: [`Someone created a WiseHosting account at ${p.dashboardUrl} with ${p.email}. If it was you, confirm the address.`],
    action: { label: "Confirm email address", url: p.url },
    footer: "The link works for 72 hours. If you did not create this account, ignore this email: the address stays unconfirmed.",
  });
}

/** Sent to the owner of a taken address instead of a second account. */
export function renderSignUpAttemptEmail(p: { email: string; dashboardUrl: string }): Promise<RenderedEmail> {
  return renderAction("Someone tried to sign up with your address", {
    preview: "Someone tried to create a second WiseHosting account with your address",
    heading: "You already have an account",
    paragraphs: [
      `Someone tried to create a WiseHosting account at ${p.dashboardUrl} with ${p.email}, which already has one. No new account was created.`,
      "If it was you, sign in instead. If it was not, there is nothing to do; your account was not changed.",
    ],
    action: { label: "Sign in", url: `${p.dashboardUrl}/sign-in` },
    footer: `Review your sessions at ${p.dashboardUrl}/settings/security.`,
  });
}

/** Sent to a requested new address: the change applies only when this link is used. */
export function renderEmailChangeConfirmEmail(p: { oldEmail: string; newEmail: string; url: string }): Promise<RenderedEmail> {
  return renderAction("Confirm your new WiseHosting sign-in email", {
    preview: "Confirm your new sign-in email",
    heading: "Confirm your new sign-in email",
    paragraphs: [`The WiseHosting account ${p.oldEmail} asked to sign in with ${p.newEmail} from now on. The change happens only once you confirm it.`],
    action: { label: "Confirm the new address", url: p.url },
    footer: "The link works for 24 hours. If you did not ask for this, ignore this email: nothing changes.",
  });
}

/** Sent to the current address when a change to another one is requested. */
export function renderEmailChangeNoticeEmail(p: { oldEmail: string; newEmail: string; dashboardUrl: string }): Promise<RenderedEmail> {
  return renderAction("Your WiseHosting sign-in email is about to change", {
    preview: `A change of your sign-in email to ${p.newEmail} was requested`,
    heading: "A change of your sign-in email was requested",
    paragraphs: [
      `Someone signed in to your account ${p.oldEmail} asked to change its sign-in email to ${p.newEmail}. It changes only when the link sent to ${p.newEmail} is opened.`,
      "If this was not you, sign in, cancel the change under Security, change your password and sign out your other sessions.",
    ],
    action: { label: "Review your security settings", url: `${p.dashboardUrl}/settings/security` },
    footer: "This notice goes to the address the account uses now, so a change can never happen without it knowing.",
  });
}
