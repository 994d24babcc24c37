import { tracked } from "@trpc/server";
import type { LiveEvent } from "../../apps/live/live-streams";
import { toTrpcError } from "../error-mapping";

/**
 * Turns a service's live events into tracked SSE events (the id is what the client sends back as
 * lastEventId on reconnect). Errors thrown while streaming (not found, …) are mapped the same way
 * procedure errors are; the middleware only sees the generator being created.
 */
export async function* trackedStream<T extends object>(events: AsyncGenerator<LiveEvent<T>>) {
  try {
    for await (const e of events) yield tracked(e.id, e.data);
  } catch (err) {
    throw toTrpcError(err);
  }
}
