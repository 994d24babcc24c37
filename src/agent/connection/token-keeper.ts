import type { AgentLogger } from "../logger";
import { Backoff } from "../timing/backoff";
import type { IssuedToken } from "./hub-http";
import { FatalAuthError, type WorkerIdentity } from "./worker-identity";

/** Refresh this long before `exp` (docs/worker-protocol.md, "Reconnecting and refreshing"). */
export const REFRESH_SKEW_MS = 2 * 60_000;

/** Holds the current worker JWT and renews it 2 minutes before it expires. */
export class TokenKeeper {
  private current: IssuedToken | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly retry = new Backoff({ initialMs: 2_000, maxMs: 60_000, jitter: 0.5 });

  /** Called when the hub refuses the API key for good. */
  onFatal: ((reason: string) => void) | null;
  private readonly now: () => number;

  constructor(
    private readonly identity: WorkerIdentity,
    private readonly log: AgentLogger,
    options: { onFatal?: (reason: string) => void; now?: () => number } = {},
  ) {
    this.onFatal = options.onFatal ?? null;
    this.now = options.now ?? Date.now;
  }

  start(initial: IssuedToken): void {
    this.current = initial;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A token good for at least the refresh margin; refreshes first when the current one is too old. */
  async token(): Promise<string> {
    if (!this.current || this.current.expiresAt - this.now() < REFRESH_SKEW_MS) await this.refreshNow();
    return this.current!.token;
  }

  /** Forces a refresh (e.g. after the hub answered 401 to the upgrade). */
  async refreshNow(): Promise<void> {
    this.current = await this.identity.refresh();
    this.retry.reset();
    this.schedule();
  }

  get expiresAt(): number | null {
    return this.current?.expiresAt ?? null;
  }

  private schedule(): void {
    if (this.stopped || !this.current) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(1_000, this.current.expiresAt - REFRESH_SKEW_MS - this.now());
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.refreshNow();
      this.log.debug({ expiresAt: new Date(this.current!.expiresAt).toISOString() }, "worker token refreshed");
    } catch (err) {
      if (err instanceof FatalAuthError) {
        this.log.error({ err: err.message }, "worker token refresh refused");
        this.onFatal?.(err.message);
        return;
      }
      const delay = this.retry.next();
      this.log.warn({ err: (err as Error).message, retryInMs: delay }, "worker token refresh failed");
      this.timer = setTimeout(() => void this.tick(), delay);
      this.timer.unref();
    }
  }
}
