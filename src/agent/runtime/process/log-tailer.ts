import { open, stat, truncate } from "node:fs/promises";
import { LineSplitter } from "../line-splitter";

/** A log file larger than this is emptied once fully read, so a chatty app cannot fill the disk. */
const ROTATE_BYTES = 8 * 1024 * 1024;
const READ_CHUNK = 256 * 1024;

/**
 * Follows one app log file by polling (inotify misses writes from other mount namespaces and
 * needs care on rotation; a 250 ms poll is cheap and predictable).
 */
export class LogTailer {
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The read in progress: another waits for it rather than reading the same bytes twice. */
  private reading: Promise<void> | null = null;
  private readonly splitter: LineSplitter;

  constructor(
    private readonly file: string,
    onLine: (line: string) => void,
    private readonly intervalMs = 250,
  ) {
    this.splitter = new LineSplitter(onLine);
  }

  /** fromEnd: skip what is already there (adopting a running app after an agent restart). */
  async start(fromEnd: boolean): Promise<void> {
    this.offset = fromEnd ? await sizeOf(this.file) : 0;
    this.timer = setInterval(() => void this.read(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Reads what is left and stops. A poll already reading may have sized the file before the app's
   * last write: it is waited for, then the file is read once more up to its size now.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
    await this.read();
    this.splitter.flush();
  }

  private read(): Promise<void> {
    if (this.reading) return this.reading;
    this.reading = this.readToEnd().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readToEnd(): Promise<void> {
    try {
      const size = await sizeOf(this.file);
      if (size < this.offset) this.offset = 0;
      if (size > this.offset) {
        const handle = await open(this.file, "r");
        try {
          while (this.offset < size) {
            const buf = Buffer.alloc(Math.min(READ_CHUNK, size - this.offset));
            const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
            if (bytesRead === 0) break;
            this.offset += bytesRead;
            this.splitter.push(buf.subarray(0, bytesRead));
          }
        } finally {
          await handle.close();
        }
      }
      // The app writes with O_APPEND, so after truncation its next write lands at the new end.
      if (this.offset >= ROTATE_BYTES && this.offset === (await sizeOf(this.file))) {
        await truncate(this.file, 0);
        this.offset = 0;
      }
    } catch {
      // The file may be gone (app deleted); the next start() recreates the tailer.
    }
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The last `lines` lines of a file, for failure messages. */
export async function tailFile(file: string, lines: number, maxBytes = 64 * 1024): Promise<string[]> {
  try {
    const size = await sizeOf(file);
    const start = Math.max(0, size - maxBytes);
    const handle = await open(file, "r");
    try {
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      return buf.toString("utf8").split(/\r?\n/).filter((l) => l.length > 0).slice(-lines);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
