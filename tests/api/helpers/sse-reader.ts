/** Reads a text/event-stream body into events as they arrive. */
export interface ReadEvent {
  event: string;
  data: unknown;
}

export function readSse(res: Response) {
  const events: ReadEvent[] = [];
  let closed = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const done = (async () => {
    let buffer = "";
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
      }
    }
    closed = true;
  })();
  return { events, done, isClosed: () => closed, cancel: () => reader.cancel() };
}
