import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../../src/server/trpc/root";

/**
 * A person using the dashboard of a real running web process: tRPC over HTTP with the session
 * cookie, from one browser (user agent) and one address (X-Forwarded-For, trusted from loopback),
 * with the Origin header a browser sends on mutations.
 */
export class DashboardUser {
  private readonly jar = new Map<string, string>();
  readonly trpc;

  constructor(
    readonly webUrl: string,
    readonly identity: { userAgent: string; address: string },
  ) {
    this.trpc = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${webUrl}/api/trpc`, transformer: superjson, fetch: (url, init) => this.fetch(String(url), init) })],
    });
  }

  headers(extra: Record<string, string> = {}): Headers {
    const headers = new Headers({ "user-agent": this.identity.userAgent, "x-forwarded-for": this.identity.address, origin: new URL(this.webUrl).origin, ...extra });
    if (this.jar.size) headers.set("cookie", [...this.jar].map(([k, v]) => `${k}=${v}`).join("; "));
    return headers;
  }

  private async fetch(url: string, init?: RequestInit): Promise<Response> {
    const headers = this.headers();
    new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
    const res = await fetch(url, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c) || value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  async signUpAndIn(email: string, password: string): Promise<void> {
    await this.trpc.auth.signUp.mutate({ email, password, name: "Fault Tester" });
    await this.signIn(email, password);
  }

  async signIn(email: string, password: string): Promise<void> {
    const result = (await this.trpc.auth.signIn.mutate({ email, password })) as { status: string };
    if (result.status === "two_factor_required" || this.jar.size === 0) throw new Error(`sign-in answered ${JSON.stringify(result)} and set no session cookie`);
  }

  /**
   * Follows the app's live runtime log (the dashboard's Logs tab: a tRPC subscription over
   * server-sent events), reconnecting with the last event id whenever the stream ends or fails,
   * as the dashboard's EventSource does.
   */
  followRuntimeLogs(appId: number): LiveLogStream {
    return new LiveLogStream(this, appId);
  }
}

export interface LiveLine {
  id: string;
  line: string;
}

export class LiveLogStream {
  readonly received: LiveLine[] = [];
  reconnects = 0;
  private lastEventId: string | undefined;
  private closed = false;
  private abort?: AbortController;
  private readonly loop: Promise<void>;

  constructor(
    private readonly user: DashboardUser,
    private readonly appId: number,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.readOnce();
      } catch {
        // The web went away or answered an error: try again, as EventSource does.
      }
      if (this.closed) return;
      this.reconnects += 1;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private async readOnce(): Promise<void> {
    this.abort = new AbortController();
    const input = superjson.serialize({ appId: this.appId, ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}) });
    const url = `${this.user.webUrl}/api/trpc/apps.onRuntimeLogs?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await fetch(url, { headers: this.user.headers({ accept: "text/event-stream" }), signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.onEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private onEvent(block: string): void {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("id:")) id = line.slice(3).trim();
      else if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (event !== "message" || id === undefined || data.length === 0) return;
    const value = superjson.deserialize(JSON.parse(data.join("\n"))) as { line?: string };
    this.lastEventId = id;
    this.received.push({ id, line: String(value.line ?? "") });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort?.abort();
    await this.loop;
  }
}
