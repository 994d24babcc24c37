import autocannon from "autocannon";
import { LOAD_USER_AGENT, type LoadSession } from "./load-seed";

/** What one dashboard visit asks for, in order: the three reads the app pages make, then a change. */
export const REQUEST_KINDS = ["apps.list", "apps.get", "apps.runtimeLogs", "envVars.set"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const QUERY_KINDS: readonly RequestKind[] = ["apps.list", "apps.get", "apps.runtimeLogs"];

export interface Sample {
  /** performance.now() when the answer arrived. */
  at: number;
  kind: RequestKind;
  ms: number;
  status: number;
}

export interface DashboardRun {
  samples: Sample[];
  /** Requests that got no HTTP answer (refused, reset, autocannon's timeout). */
  errors: number;
  timeouts: number;
  /** The first few 5xx answers, kind, status and body start, to say what failed. */
  fiveXxExamples: string[];
}

interface VisitContext {
  session?: LoadSession;
  appId?: number;
}

/** A tRPC query as the dashboard's httpLink sends it: GET with the superjson-encoded input in the query string. */
const queryPath = (procedure: string, input?: unknown) =>
  `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`;

/**
 * `connections` dashboard sessions against the real web over HTTP (autocannon, one keep-alive
 * socket per session, at most `rate` requests per second each). Each pass through the four
 * requests is one visit by the next signed-in user in turn: apps.list, apps.get and
 * apps.runtimeLogs of one of the user's apps, then envVars.set on it (a mutation: the Origin a
 * browser sends, a transaction, an audit row). Every answer is recorded with its kind and status.
 */
export async function runDashboardLoad(options: {
  webPort: number;
  /** The Host the web serves (its allow-list), e.g. localhost:3000. */
  host: string;
  origin: string;
  sessions: LoadSession[];
  connections: number;
  rate: number;
  seconds: number;
}): Promise<DashboardRun> {
  const samples: Sample[] = [];
  const fiveXxExamples: string[] = [];
  let nextVisit = 0;
  let mutation = 0;
  // autocannon calls onResponse and then emits 'response' (with the time) synchronously for the
  // same answer (node_modules/autocannon/lib/httpClient.js, kOnMessageComplete), so the kind set
  // here belongs to the time read there.
  let answered: RequestKind | undefined;

  const headers = (ctx: VisitContext, extra: Record<string, string> = {}) => ({
    host: options.host,
    cookie: ctx.session!.cookie,
    "user-agent": LOAD_USER_AGENT,
    accept: "application/json",
    ...extra,
  });
  const onResponse = (kind: RequestKind) => (status: number, body: string) => {
    answered = kind;
    if (status >= 500 && fiveXxExamples.length < 5) fiveXxExamples.push(`${kind} ${status} ${body.slice(0, 200)}`);
  };
  const request = (kind: RequestKind, build: (ctx: VisitContext) => Partial<autocannon.Request>): autocannon.Request => ({
    setupRequest: (req, context) => ({ ...req, ...build(context as VisitContext) }),
    onResponse: onResponse(kind),
  });
  const requests: autocannon.Request[] = [
    request("apps.list", (ctx) => {
      const visit = nextVisit++;
      ctx.session = options.sessions[visit % options.sessions.length]!;
      ctx.appId = ctx.session.appIds[Math.floor(visit / options.sessions.length) % ctx.session.appIds.length]!;
      return { method: "GET", path: queryPath("apps.list"), headers: headers(ctx) };
    }),
    request("apps.get", (ctx) => ({ method: "GET", path: queryPath("apps.get", { appId: ctx.appId }), headers: headers(ctx) })),
    request("apps.runtimeLogs", (ctx) => ({ method: "GET", path: queryPath("apps.runtimeLogs", { appId: ctx.appId, limit: 200 }), headers: headers(ctx) })),
    request("envVars.set", (ctx) => ({
      method: "POST",
      path: "/api/trpc/envVars.set",
      headers: headers(ctx, { "content-type": "application/json", origin: options.origin }),
      body: JSON.stringify({ json: { appId: ctx.appId, key: "LOAD_VISIT", value: String(++mutation) } }),
    })),
  ];

  return new Promise<DashboardRun>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.webPort}`,
        connections: options.connections,
        connectionRate: options.rate,
        duration: options.seconds,
        timeout: 30,
        requests,
      },
      (err, result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({ samples, errors: result.errors, timeouts: result.timeouts, fiveXxExamples });
      },
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      if (answered) samples.push({ at: performance.now(), kind: answered, ms, status });
      answered = undefined;
    });
  });
}
