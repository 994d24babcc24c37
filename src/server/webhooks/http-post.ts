import { request, type Dispatcher } from "undici";

export interface PostResult {
  status: number | null;
  /** First `maxStoredBytes` of the response body. */
  body: string;
  retryAfter: string | null;
  location: string | null;
  durationMs: number;
  error: string | null;
  /** The guard refused the destination (permanent). */
  blocked: boolean;
}

export interface PostOptions {
  dispatcher: Dispatcher;
  /** Whole exchange deadline, including a receiver that drips its body. */
  timeoutMs: number;
  /** Bytes read from the response before the rest is discarded and the socket dropped. */
  maxReadBytes: number;
  maxStoredBytes: number;
}

/**
 * The deadline has two watchers (the abort signal and undici's own header/body timeouts, set to
 * the same value); whichever fires first, it is the same timeout.
 */
function timedOut(signal: AbortSignal, err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return signal.aborted || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}

/** POSTs once. Never follows redirects, never throws: every outcome is a PostResult. */
export async function postOnce(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await request(url, { method: "POST", headers, body, dispatcher: options.dispatcher, signal, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    const chunks: Buffer[] = [];
    let read = 0;
    let truncated = false;
    let bodyTimedOut = false;
    try {
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        chunks.push(buf);
        read += buf.length;
        if (read >= options.maxReadBytes) {
          truncated = true;
          break;
        }
      }
    } catch (err) {
      if (!timedOut(signal, err)) throw err;
      truncated = true;
      bodyTimedOut = true;
    } finally {
      res.body.destroy();
    }
    const text = Buffer.concat(chunks).subarray(0, options.maxStoredBytes).toString("utf8");
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    };
    return {
      status: res.statusCode,
      body: truncated && text.length >= options.maxStoredBytes ? `${text}…[truncated]` : text,
      retryAfter: header("retry-after"),
      location: header("location"),
      durationMs: elapsed(),
      error: bodyTimedOut || signal.aborted ? `Response not finished within ${options.timeoutMs / 1000} s; aborted.` : null,
      blocked: false,
    };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: Error & { code?: string } };
    const blocked = e.code === "SSRF_BLOCKED" || e.cause?.code === "SSRF_BLOCKED";
    const message = blocked
      ? (e.cause?.code === "SSRF_BLOCKED" ? e.cause.message : e.message)
      : timedOut(signal, e)
        ? `No response within ${options.timeoutMs / 1000} s; aborted.`
        : `${e.code ?? e.name}: ${e.message}`;
    return { status: null, body: "", retryAfter: null, location: null, durationMs: elapsed(), error: message, blocked };
  }
}
