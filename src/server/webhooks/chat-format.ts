import { EVENT_PRESENTATION, type WebhookEventType } from "./webhook-events";

export interface ChatEvent {
  type: WebhookEventType;
  appId: number | null;
  data: Record<string, unknown>;
}

const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** 7-character SHA prefix. */
export const shortSha = (sha: string) => sha.slice(0, 7);

/** First line of a commit message, trimmed to a chat-friendly length */
export function firstLine(message: string, max = 120): string {
  const line = message.split(/\r?\n/, 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Compact chat text: "{emoji} {title} — {app}", link, commit line. */
export function formatChatMessage(event: ChatEvent, publicUrl: string): { title: string; text: string; link: string | null } {
  const p = EVENT_PRESENTATION[event.type];
  const appName = text(event.data.appName);
  const title = appName ? `${p.title} — ${appName}` : p.title;
  const link = event.appId != null ? `${publicUrl.replace(/\/$/, "")}/apps/${event.appId}` : null;
  const lines = [`${p.emoji} ${title}`];
  if (link) lines.push(link);
  const sha = text(event.data.commitSha);
  const commit = firstLine(text(event.data.commitMessage));
  if (sha || commit) lines.push([sha ? `\`${shortSha(sha)}\`` : "", commit].filter(Boolean).join(" "));
  const detail = text(event.data.error) || text(event.data.reason);
  if (detail) lines.push(firstLine(detail, 200));
  if (event.data.value !== undefined && event.data.threshold !== undefined) lines.push(`value ${text(event.data.value)} / threshold ${text(event.data.threshold)}`);
  return { title, text: lines.join("\n"), link };
}
