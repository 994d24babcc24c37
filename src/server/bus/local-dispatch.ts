import type { Logger } from "pino";
import { busChannels, type BusChannel, type BusHandler } from "./channels";

/** In-process fan-out shared by the bus implementations: validates, then calls each handler. */
export class LocalDispatch {
  private readonly handlers = new Map<BusChannel, Set<BusHandler<BusChannel>>>();

  constructor(private readonly log?: Logger) {}

  add<C extends BusChannel>(channel: C, handler: BusHandler<C>): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler as BusHandler<BusChannel>);
    return () => set.delete(handler as BusHandler<BusChannel>);
  }

  count(channel: BusChannel): number {
    return this.handlers.get(channel)?.size ?? 0;
  }

  deliver(channel: string, raw: string): void {
    if (!(channel in busChannels)) return;
    const set = this.handlers.get(channel as BusChannel);
    if (!set || set.size === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.log?.warn({ channel }, "bus message is not JSON; dropped");
      return;
    }
    const result = busChannels[channel as BusChannel].safeParse(parsed);
    if (!result.success) {
      this.log?.warn({ channel, issues: result.error.issues.length }, "bus message failed validation; dropped");
      return;
    }
    for (const handler of set) {
      try {
        handler(result.data);
      } catch (err) {
        this.log?.error({ err, channel }, "bus handler threw");
      }
    }
  }
}
