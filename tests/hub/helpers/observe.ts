/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies from the wire; the assertions check their shape */
import type { BusChannel, BusMessage } from "../../../src/server/bus/channels";
import { createBus } from "../../../src/server/bus/create-bus";
import type { TestDatabase } from "../../helpers/test-db";

/** Platform events the hub queued for the jobs process (pg-boss queue "platform-events"). */
export async function platformEvents(tdb: TestDatabase): Promise<{ type: string; userId: number; appId: number | null; data: any }[]> {
  const exists = await tdb.db.$queryRawUnsafe<{ t: string | null }[]>(`SELECT to_regclass('pgboss.job')::text AS t`);
  if (!exists[0]?.t) return [];
  const rows = await tdb.db.$queryRawUnsafe<{ data: any }[]>(`SELECT data FROM pgboss.job WHERE name = 'platform-events' ORDER BY created_on`);
  return rows.map((r) => r.data);
}

/** Another process's view of the bus: collects messages published on `channel`. */
export async function busRecorder<C extends BusChannel>(url: string, channel: C) {
  const bus = createBus({ databaseUrl: url });
  const messages: BusMessage<C>[] = [];
  await bus.subscribe(channel, (m) => messages.push(m));
  return { messages, close: () => bus.close() };
}
