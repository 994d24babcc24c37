import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Section, Text } from "@react-email/components";
import { render } from "@react-email/render";

export interface NewDeviceEmailProps {
  email: string;
  device: string;
  browser: string;
  os: string;
  ip: string;
  location: string;
  time: Date;
  revokeUrl: string;
  dashboardUrl: string;
}

// The dashboard's dark palette (src/app/globals.css), inlined because mail clients ignore <style>.
const colors = { surface: "#0f1115", panel: "#161a21", line: "#2a303b", muted: "#8b93a3", accent: "#7c9cff", text: "#e6e9ef", bad: "#f26d6d" };

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Text style={{ margin: "4px 0", color: colors.text, fontSize: 14 }}>
      <span style={{ color: colors.muted, display: "inline-block", width: 90 }}>{label}</span>
      {value || "Unknown"}
    </Text>
  );
}

export function NewDeviceEmail(props: NewDeviceEmailProps) {
  const when = props.time.toUTCString();
  return (
    <Html lang="en">
      <Head />
      <Preview>New sign-in to your WiseHosting account from {props.browser || "a new device"}</Preview>
      <Body style={{ backgroundColor: colors.surface, fontFamily: "system-ui, -apple-system, Segoe UI, sans-serif", margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: colors.panel, border: `1px solid ${colors.line}`, borderRadius: 8, padding: 24, maxWidth: 520 }}>
          <Heading as="h1" style={{ color: colors.text, fontSize: 20, margin: "0 0 12px" }}>
            New sign-in to WiseHosting
          </Heading>
          <Text style={{ color: colors.text, fontSize: 14 }}>
            Your account {props.email} was just signed in to from an address we have not seen before.
          </Text>
          <Section style={{ border: `1px solid ${colors.line}`, borderRadius: 6, padding: "8px 16px", margin: "16px 0" }}>
            <Row label="Time" value={when} />
            <Row label="Device" value={props.device} />
            <Row label="Browser" value={props.browser} />
            <Row label="System" value={props.os} />
            <Row label="IP address" value={props.ip} />
            <Row label="Location" value={props.location} />
          </Section>
          <Text style={{ color: colors.text, fontSize: 14 }}>
            If this was you, there is nothing to do. If it was not, revoke this session and change your password.
          </Text>
          <Button href={props.revokeUrl} style={{ backgroundColor: colors.bad, color: "#ffffff", borderRadius: 6, padding: "10px 16px", fontSize: 14, fontWeight: 600 }}>
            Revoke this session
          </Button>
          <Hr style={{ borderColor: colors.line, margin: "24px 0 12px" }} />
          <Text style={{ color: colors.muted, fontSize: 12 }}>
            The revoke link works for 72 hours and only signs out this one session. Review every session at {props.dashboardUrl}/settings/security.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/** HTML and plain-text versions of the new-device email. */
export async function renderNewDeviceEmail(props: NewDeviceEmailProps): Promise<{ subject: string; html: string; text: string }> {
  const element = <NewDeviceEmail {...props} />;
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject: "New sign-in to your WiseHosting account", html, text };
}
