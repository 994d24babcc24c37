import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Bus, BusChannel, BusHandler, BusMessage } from "./channels";
import { LocalDispatch } from "./local-dispatch";

const PREFIX = "wh:bus:";

/** Bus over Redis pub/sub, used when REDIS_URL is set. */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly dispatch: LocalDispatch;
  private readonly listening = new Set<BusChannel>();

  constructor(url: string, log?: Logger) {
    this.dispatch = new LocalDispatch(log);
    const options = { maxRetriesPerRequest: 2, retryStrategy: (n: number) => Math.min(n * 200, 5_000) };
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    for (const client of [this.pub, this.sub]) client.on("error", (err) => log?.warn({ err: err.message }, "redis bus error"));
    this.sub.on("message", (channel: string, payload: string) => this.dispatch.deliver(channel.slice(PREFIX.length), payload));
  }

  async publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void> {
    await this.pub.publish(PREFIX + channel, JSON.stringify(message));
  }

  async subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => void> {
    const remove = this.dispatch.add(channel, handler);
    if (!this.listening.has(channel)) {
      this.listening.add(channel);
      await this.sub.subscribe(PREFIX + channel);
    }
    return remove;
  }

  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
