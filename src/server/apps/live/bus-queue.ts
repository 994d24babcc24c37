import type { Bus, BusChannel, BusMessage } from "../../bus/channels";

/** Messages that arrive while a slow page is not reading are dropped past this many. */
const MAX_BUFFERED = 5_000;

export interface BusQueue<C extends BusChannel> {
  /** Resolves with the next message, or null once the signal aborts. */
  next(): Promise<BusMessage<C> | null>;
  close(): void;
}

/**
 * Subscribes before the caller reads its replay from the database, so nothing published in
 * between is lost; the caller drops what the replay already covered (by event id).
 */
export async function openBusQueue<C extends BusChannel>(
  bus: Bus,
  channel: C,
  accept: (message: BusMessage<C>) => boolean,
  signal: AbortSignal | undefined,
): Promise<BusQueue<C>> {
  const buffer: BusMessage<C>[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const unsubscribe = await bus.subscribe(channel, (message) => {
    if (closed || !accept(message)) return;
    if (buffer.length >= MAX_BUFFERED) buffer.shift();
    buffer.push(message);
    wake?.();
  });
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    wake?.();
  };
  signal?.addEventListener("abort", close, { once: true });
  if (signal?.aborted) close();
  return {
    async next() {
      while (!closed) {
        const message = buffer.shift();
        if (message) return message;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return null;
    },
    close,
  };
}
