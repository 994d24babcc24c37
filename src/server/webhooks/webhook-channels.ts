import { formatChatMessage, type ChatEvent } from "./chat-format";

export const WEBHOOK_CHANNELS = ["standard", "discord", "slack", "ntfy"] as const;
export type WebhookChannelId = (typeof WEBHOOK_CHANNELS)[number];

export interface RenderedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface MessageEnvelope extends ChatEvent {
  timestamp: string;
}

/**
 * One abstraction for every destination: a channel only decides how an event becomes a request
 * body. Signing, delivery, retries and recording are shared (deliver-webhook.ts).
 */
interface WebhookChannel {
  label: string;
  render(message: MessageEnvelope, publicUrl: string): RenderedRequest;
}

const json = (value: unknown): RenderedRequest => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
/** HTTP header values must be Latin-1; chat titles carry emoji. */
const headerSafe = (s: string) =>
  s
    .replace(/[—–]/g, "-")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/\s+/g, " ")
    .trim();

const CHANNELS: Record<WebhookChannelId, WebhookChannel> = {
  standard: {
    label: "Signed JSON (Standard Webhooks)",
    render: (m) => json({ type: m.type, timestamp: m.timestamp, data: { appId: m.appId, ...m.data } }),
  },
  discord: {
    label: "Discord",
    render: (m, publicUrl) => json({ username: "WiseHosting", content: formatChatMessage(m, publicUrl).text, allowed_mentions: { parse: [] } }),
  },
  slack: {
    label: "Slack",
    render: (m, publicUrl) => json({ text: formatChatMessage(m, publicUrl).text }),
  },
  ntfy: {
    label: "ntfy",
    render: (m, publicUrl) => {
      const chat = formatChatMessage(m, publicUrl);
      const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8", title: headerSafe(chat.title) || "WiseHosting" };
      if (chat.link) headers.click = chat.link;
      return { body: chat.text, headers };
    },
  },
};

export function renderForChannel(channel: WebhookChannelId, message: MessageEnvelope, publicUrl: string): RenderedRequest {
  return CHANNELS[channel].render(message, publicUrl);
}

export function channelLabel(channel: WebhookChannelId): string {
  return CHANNELS[channel].label;
}

/** Suggests the channel from a URL: Discord and Slack hooks and ntfy.sh are recognisable. */
export function detectChannel(url: URL): WebhookChannelId {
  const host = url.hostname.toLowerCase();
  if ((host === "discord.com" || host === "discordapp.com" || host.endsWith(".discord.com")) && url.pathname.startsWith("/api/webhooks/")) return "discord";
  if (host === "hooks.slack.com") return "slack";
  if (host === "ntfy.sh" || host.endsWith(".ntfy.sh")) return "ntfy";
  return "standard";
}
