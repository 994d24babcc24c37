import pg from "pg";
import type { Logger } from "pino";
import type { Bus, BusChannel, BusHandler, BusMessage } from "./channels";
import { LocalDispatch } from "./local-dispatch";

/** Postgres NOTIFY payloads are limited to 8000 bytes; larger messages are split by the publisher. */
const MAX_NOTIFY_BYTES = 7_900;
const PG_CHANNEL_PREFIX = "wh_";
/** A live log line larger than this is cut for the bus (the stored line keeps its full length). */
const MAX_LINE_BYTES = 3_000;

/** Cuts a string to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= maxBytes) return value;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

function pgChannel(channel: BusChannel): string {
  return PG_CHANNEL_PREFIX + channel.replace(/\./g, "_");
}

/**
 * Bus over Postgres LISTEN/NOTIFY (the default: no extra infrastructure). One dedicated
 * listening connection per process, re-established with backoff after a drop.
 */
export class PgBus implements Bus {
  private listener?: pg.Client;
  private readonly dispatch: LocalDispatch;
  /** Channels LISTENed to, each with its LISTEN in flight or done: every subscriber awaits it. */
  private readonly listening = new Map<BusChannel, Promise<void>>();
  private closed = false;
  private connecting?: Promise<pg.Client>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly log?: Logger,
  ) {
    this.dispatch = new LocalDispatch(log);
  }

  async publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void> {
    const payload = JSON.stringify(message);
    for (const part of splitForNotify(channel, message, payload)) {
      await this.pool.query("SELECT pg_notify($1, $2)", [pgChannel(channel), part]);
    }
  }

  async subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => void> {
    const remove = this.dispatch.add(channel, handler);
    let listen = this.listening.get(channel);
    if (!listen) {
      listen = this.ensureListener().then((client) => client.query(`LISTEN ${pgChannel(channel)}`).then(() => undefined));
      this.listening.set(channel, listen);
      // A failed LISTEN is tried again by the next subscriber instead of being remembered as done.
      listen.catch(() => this.listening.delete(channel));
    }
    try {
      // A second subscriber to the same channel returns only once the first one's LISTEN is in
      // place, so a message published after either subscribe resolves reaches both.
      await listen;
    } catch (err) {
      remove();
      throw err;
    }
    return remove;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  private ensureListener(): Promise<pg.Client> {
    if (this.listener) return Promise.resolve(this.listener);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (msg) => {
      const channel = msg.channel.slice(PG_CHANNEL_PREFIX.length).replace(/_/g, ".");
      this.dispatch.deliver(channel, msg.payload ?? "");
    });
    client.on("error", (err) => {
      this.log?.warn({ err: err.message }, "bus listener connection lost; reconnecting");
      this.listener = undefined;
      client.end().catch(() => undefined);
      void this.reconnect();
    });
    await client.connect();
    this.listener = client;
    return client;
  }

  private async reconnect(attempt = 0): Promise<void> {
    if (this.closed) return;
    await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5_000)));
    try {
      const client = await this.ensureListener();
      for (const channel of this.listening.keys()) await client.query(`LISTEN ${pgChannel(channel)}`);
      this.log?.info("bus listener reconnected");
    } catch {
      void this.reconnect(attempt + 1);
    }
  }
}

/** Splits oversized log messages into several valid messages; other channels must fit. */
export function splitForNotify(channel: BusChannel, message: unknown, payload: string): string[] {
  if (Buffer.byteLength(payload) <= MAX_NOTIFY_BYTES) return [payload];
  if (channel === "app.logs") {
    const { appId, lines } = message as BusMessage<"app.logs">;
    const parts: string[] = [];
    let batch: typeof lines = [];
    for (const line of lines) {
      const capped = { ...line, line: truncateUtf8(line.line, MAX_LINE_BYTES) };
      const candidate = JSON.stringify({ appId, lines: [...batch, capped] });
      if (Buffer.byteLength(candidate) > MAX_NOTIFY_BYTES && batch.length > 0) {
        parts.push(JSON.stringify({ appId, lines: batch }));
        batch = [capped];
      } else batch.push(capped);
    }
    if (batch.length > 0) parts.push(JSON.stringify({ appId, lines: batch }));
    return parts;
  }
  if (channel === "deployment.log") {
    const m = message as BusMessage<"deployment.log">;
    const parts: string[] = [];
    const step = 3_000;
    for (let i = 0; i < m.chunk.length; i += step) {
      parts.push(JSON.stringify({ ...m, offset: m.offset + i, chunk: m.chunk.slice(i, i + step) }));
    }
    return parts;
  }
  if (channel === "stats.snapshot") {
    const m = message as BusMessage<"stats.snapshot">;
    const per = 40;
    const parts: string[] = [];
    for (let i = 0; i < m.apps.length; i += per) parts.push(JSON.stringify({ at: m.at, apps: m.apps.slice(i, i + per) }));
    return parts;
  }
  throw new Error(`bus message on ${channel} is ${Buffer.byteLength(payload)} bytes; the limit is ${MAX_NOTIFY_BYTES}`);
}

export type { Bus, BusHandler };
