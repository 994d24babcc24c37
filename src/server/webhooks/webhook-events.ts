import { PLATFORM_EVENT_TYPES } from "../events/platform-events";

/** Events an endpoint can subscribe to: every platform event, plus the test ping. */
export const WEBHOOK_EVENT_TYPES = PLATFORM_EVENT_TYPES;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | "webhook.test";

/** Chat text pieces per event: a closed table, so every event type has its emoji and title. */
export const EVENT_PRESENTATION: Record<WebhookEventType, { emoji: string; title: string; description: string }> = {
  "deployment.succeeded": { emoji: "✅", title: "Deployment succeeded", description: "A deploy or restart finished and the app is running." },
  "deployment.failed": { emoji: "❌", title: "Deployment failed", description: "A deploy or restart failed." },
  "app.stopped": { emoji: "⏹️", title: "App stopped", description: "An app stopped (by you, or because its worker went offline)." },
  "app.crashed": { emoji: "💥", title: "App crashed", description: "An app's process exited unexpectedly." },
  "app.violation": { emoji: "🚫", title: "App stopped for a violation", description: "The worker stopped an app for exceeding its limits." },
  "app.cpu": { emoji: "🔥", title: "High CPU", description: "CPU stayed above the app's alert threshold." },
  "app.memory": { emoji: "🧠", title: "High memory", description: "Memory stayed above the app's alert threshold." },
  "app.network": { emoji: "🌐", title: "High network traffic", description: "Network stayed above the app's alert threshold." },
  "app.disk": { emoji: "💾", title: "High disk I/O", description: "Disk I/O stayed above the app's alert threshold." },
  "app.offline": { emoji: "📴", title: "App offline", description: "No stats or heartbeat from the app for too long." },
  "account.login_new_device": { emoji: "🔐", title: "New sign-in", description: "Your account signed in from a new device or address." },
  "webhook.test": { emoji: "🧪", title: "Test delivery", description: "Sent by the Send test button." },
};
