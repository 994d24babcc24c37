import type { Services } from "../runtime/services";

/** Live pages listen for this (apps.onStatus); delivery is best-effort, state lives in Postgres. */
export async function publishAppChanged(deps: Pick<Services, "bus" | "log">, app: { id: number; userId: number; status: string }) {
  await deps.bus
    .publish("app.changed", { appId: app.id, userId: app.userId, status: app.status })
    .catch((err: Error) => deps.log.warn({ err: err.message, appId: app.id }, "app.changed publish failed"));
}
