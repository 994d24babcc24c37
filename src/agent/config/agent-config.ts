import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { allowCidrsProblem } from "../../net/address-policy";
import { RegistrySettingsError, resolveRegistrySettings, type RegistrySettings } from "./registry-settings";

const boolish = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));
const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

const configSchema = z.object({
  hubUrl: z.url({ protocol: /^https?$/, error: "must be the hub's http:// or https:// address, e.g. http://127.0.0.1:3001" }),
  name: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/, "must be 1-63 characters of a-z, 0-9 and '-' (pass --name or AGENT_NAME)"),
  apiKey: z.string().min(32, "must be at least 32 characters").optional(),
  registrationToken: z.string().min(1).optional(),
  stateDir: z.string().min(1),
  capCpu: z.coerce.number().positive(),
  capMem: z.coerce.number().int().positive(),
  zone: z.string().max(64).default(""),
  regionName: z.string().max(64).default(""),
  ip: z.string().max(64),
  wireguardIp: z.string().max(64).optional(),
  allowLocalRepos: z.boolean(),
  /** CIDRs repository hosts may resolve to despite the public-address check (docs/worker-agent.md). */
  repoAllowCidrs: z.string().refine((v) => allowCidrsProblem(v) === null, { error: (issue) => `must be comma-separated CIDRs: ${allowCidrsProblem(String(issue.input))}` }),
  stopAppsOnExit: z.boolean(),
  /** How apps run: container (Podman/Docker), process, or auto (container when an engine is there). */
  runtime: z.enum(["container", "process", "auto"], { error: "must be container, process or auto" }).default("auto"),
  /** Images the container runtime keeps per app for rollback. */
  keepImages: z.coerce.number().int().min(1).max(50).default(3),
  heartbeatSeconds: seconds(30),
  statsSeconds: seconds(10),
  diskCheckSeconds: seconds(300),
  startTimeoutSeconds: seconds(60),
  /** How long a replaced container keeps serving after the deploy's result, while the proxy moves to the new one. */
  drainSeconds: z.coerce.number().min(0).max(600).default(10),
  /** A ceiling on the plans' build time (unset: each plan's own build time applies). */
  buildTimeoutSeconds: z.coerce.number().positive().optional(),
  /** A clone (or fetch) that takes longer fails, whatever is left of the build time: a silent git server must not hold a deploy. */
  cloneTimeoutSeconds: seconds(120),
  /** Each build step (install, build) on its own, within the build time. */
  stepTimeoutSeconds: seconds(900),
  crashBackoffInitialSeconds: seconds(1),
  crashBackoffMaxSeconds: seconds(300),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Package registry and trust for builds (docs/worker-agent.md); resolved into `registry`.
  npmRegistry: z.string().optional(),
  caFiles: z.array(z.string().min(1)).optional(),
  httpsProxy: z.string().optional(),
  httpProxy: z.string().optional(),
  noProxy: z.string().optional(),
  npmToken: z.string().min(1).optional(),
  corepackIntegrityKeys: z.string().optional(),
  registryTimeoutSeconds: z.coerce.number().positive().optional(),
  registryRetries: z.coerce.number().int().min(0).max(10).optional(),
});
export type AgentConfig = Omit<z.infer<typeof configSchema>, "npmRegistry" | "caFiles" | "httpsProxy" | "httpProxy" | "noProxy" | "npmToken" | "corepackIntegrityKeys" | "registryTimeoutSeconds" | "registryRetries"> & {
  /** What every build step gets to reach the package registry (src/agent/config/registry-settings.ts). */
  registry: RegistrySettings;
};

export class AgentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid agent configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nRun with --help for the options.`);
    this.name = "AgentConfigError";
  }
}

export const USAGE = `WiseHosting worker agent

  npm run agent -- --hub URL --name NAME [options]

  --hub URL                 ws-hub address (AGENT_HUB_URL, HUB_URL)
  --name NAME               worker name, [a-z0-9-]{1,63} (AGENT_NAME; default: host name)
  --api-key KEY             worker API key, >= 32 chars (AGENT_API_KEY, WORKER_API_KEY; default:
                            generated once and kept in the state directory; pass the new key here
                            after scripts/rotate-worker-key.ts)
  --registration-token T    operator's registration token (AGENT_REGISTRATION_TOKEN,
                            WORKER_REGISTRATION_TOKEN); needed for the first registration
  --state-dir DIR           where apps, builds and credentials live (AGENT_STATE_DIR;
                            default: $DATA_DIR/agent, else .data/agent)
  --cap-cpu CORES           capacity offered (AGENT_CAP_CPU; default: all cores)
  --cap-mem MIB             capacity offered (AGENT_CAP_MEM; default: 75 % of RAM)
  --zone Z, --region R      placement labels (AGENT_ZONE, AGENT_REGION)
  --ip IP                   address the hub records (AGENT_IP; default: 127.0.0.1 for a loopback
                            hub, else the first non-internal IPv4)
  --wireguard-ip IP         address the edge proxy reaches apps at (AGENT_WIREGUARD_IP; default: --ip)
  --allow-local-repos       accept file:// repositories (AGENT_ALLOW_LOCAL_REPOS, LOCAL_REPOS_ENABLED;
                            default: on when the hub is on loopback)
  --repo-allow-cidrs LIST   comma-separated CIDRs git may clone from although they are not public
                            addresses, e.g. a private git server (AGENT_REPO_ALLOW_CIDRS,
                            REPO_ALLOW_CIDRS; default: none)
  --stop-apps-on-exit       stop every app when the agent exits; they start again with the agent
                            (AGENT_STOP_APPS_ON_EXIT; default: on for a loopback hub, else off:
                            apps keep running and the next agent start adopts them)
  --runtime KIND            container, process or auto: how apps run (AGENT_RUNTIME; default: auto,
                            i.e. containers when an engine answers or Podman is installed, for a
                            remote hub; process for a loopback hub). AGENT_KEEP_IMAGES: images kept
                            per app for rollback (3). AGENT_DRAIN_SECONDS: how long a replaced
                            container keeps serving after a deploy, while the proxy moves (10)
  --clone-timeout SECONDS   a git clone or fetch that takes longer fails the deploy (AGENT_CLONE_TIMEOUT_SECONDS;
                            default 120)
  --step-timeout SECONDS    each build step (install, build) on its own, within the plan's build time
                            (AGENT_STEP_TIMEOUT_SECONDS; default 900)
  --log-level LEVEL         (AGENT_LOG_LEVEL, LOG_LEVEL; default info)

  Package registry and trust for builds (defaults: this agent's own environment and npm config)
  --npm-registry URL        registry builds install from (AGENT_NPM_REGISTRY; default: npm's
                            registry setting, else https://registry.npmjs.org/)
  --ca-file FILE            PEM CA bundle builds trust besides the public roots; repeatable
                            (AGENT_CA_FILE, ':'-separated; default: NODE_EXTRA_CA_CERTS,
                            SSL_CERT_FILE and npm's cafile)
  --https-proxy URL, --http-proxy URL, --no-proxy LIST
                            (AGENT_HTTPS_PROXY, AGENT_HTTP_PROXY, AGENT_NO_PROXY; default:
                            HTTPS_PROXY, HTTP_PROXY, NO_PROXY and npm's proxy settings)
  --npm-token TOKEN         bearer token for a private registry (AGENT_NPM_TOKEN: prefer the
                            variable, a flag shows in ps; default: npm's _authToken for the registry)
  --corepack-integrity-keys K
                            COREPACK_INTEGRITY_KEYS for builds; 0 skips corepack's signature check
                            of pnpm/yarn (AGENT_COREPACK_INTEGRITY_KEYS; for registries that serve
                            metadata without npm's signatures)
  AGENT_REGISTRY_TIMEOUT_SECONDS, AGENT_REGISTRY_RETRIES  per request (60) and retries (2)
`;

type Source = Record<string, string | undefined>;

function pick(...values: Array<string | boolean | undefined>): string | undefined {
  for (const v of values) {
    if (typeof v === "boolean") return v ? "1" : undefined;
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || host.startsWith("127.");
  } catch {
    return false;
  }
}

function firstExternalIpv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const addr of list ?? []) if (addr.family === "IPv4" && !addr.internal) return addr.address;
  }
  return "127.0.0.1";
}

function defaultName(): string {
  const cleaned = os.hostname().toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return (cleaned || "worker").slice(0, 63);
}

/** Merges CLI flags over environment variables over defaults; throws AgentConfigError naming each problem. */
export function loadAgentConfig(argv: string[], env: Source): AgentConfig | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      hub: { type: "string" },
      name: { type: "string" },
      "api-key": { type: "string" },
      "registration-token": { type: "string" },
      "state-dir": { type: "string" },
      "cap-cpu": { type: "string" },
      "cap-mem": { type: "string" },
      zone: { type: "string" },
      region: { type: "string" },
      ip: { type: "string" },
      "wireguard-ip": { type: "string" },
      "allow-local-repos": { type: "boolean" },
      "repo-allow-cidrs": { type: "string" },
      "stop-apps-on-exit": { type: "boolean" },
      "clone-timeout": { type: "string" },
      "step-timeout": { type: "string" },
      runtime: { type: "string" },
      "log-level": { type: "string" },
      "npm-registry": { type: "string" },
      "ca-file": { type: "string", multiple: true },
      "https-proxy": { type: "string" },
      "http-proxy": { type: "string" },
      "no-proxy": { type: "string" },
      "npm-token": { type: "string" },
      "corepack-integrity-keys": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";

  const hubUrl = pick(values.hub, env.AGENT_HUB_URL, env.HUB_URL);
  const loopback = isLoopbackUrl(hubUrl);
  const ip = pick(values.ip, env.AGENT_IP) ?? (loopback ? "127.0.0.1" : firstExternalIpv4());
  const flag = (cli: boolean | undefined, ...names: string[]) => {
    const raw = pick(cli, ...names.map((n) => env[n]));
    if (raw === undefined) return undefined;
    const parsed = boolish.safeParse(raw.toLowerCase());
    if (!parsed.success) throw new AgentConfigError([`${names[0]}: must be true or false`]);
    return parsed.data;
  };

  const raw = {
    hubUrl,
    name: pick(values.name, env.AGENT_NAME) ?? defaultName(),
    apiKey: pick(values["api-key"], env.AGENT_API_KEY, env.WORKER_API_KEY),
    registrationToken: pick(values["registration-token"], env.AGENT_REGISTRATION_TOKEN, env.WORKER_REGISTRATION_TOKEN),
    stateDir: path.resolve(
      pick(values["state-dir"], env.AGENT_STATE_DIR) ?? path.join(pick(env.DATA_DIR) ?? ".data", "agent"),
    ),
    capCpu: pick(values["cap-cpu"], env.AGENT_CAP_CPU) ?? String(os.availableParallelism()),
    capMem: pick(values["cap-mem"], env.AGENT_CAP_MEM) ?? String(Math.floor((os.totalmem() / 1024 / 1024) * 0.75)),
    zone: pick(values.zone, env.AGENT_ZONE),
    regionName: pick(values.region, env.AGENT_REGION),
    ip,
    wireguardIp: pick(values["wireguard-ip"], env.AGENT_WIREGUARD_IP) ?? ip,
    allowLocalRepos: flag(values["allow-local-repos"], "AGENT_ALLOW_LOCAL_REPOS", "LOCAL_REPOS_ENABLED") ?? loopback,
    repoAllowCidrs: pick(values["repo-allow-cidrs"], env.AGENT_REPO_ALLOW_CIDRS, env.REPO_ALLOW_CIDRS) ?? "",
    // A loopback hub means the platform runs on this machine (npm start, tests): its apps should
    // end with it rather than outlive it holding ports. A remote worker keeps apps up across
    // agent restarts.
    stopAppsOnExit: flag(values["stop-apps-on-exit"], "AGENT_STOP_APPS_ON_EXIT") ?? loopback,
    // auto for a remote worker; a loopback hub (npm start, the agent tests) keeps the process
    // runtime unless asked, as its apps end with the platform anyway.
    runtime: pick(values.runtime, env.AGENT_RUNTIME) ?? (loopback ? "process" : "auto"),
    keepImages: pick(env.AGENT_KEEP_IMAGES),
    heartbeatSeconds: pick(env.AGENT_HEARTBEAT_SECONDS),
    statsSeconds: pick(env.AGENT_STATS_SECONDS),
    diskCheckSeconds: pick(env.AGENT_DISK_CHECK_SECONDS),
    startTimeoutSeconds: pick(env.AGENT_START_TIMEOUT_SECONDS),
    drainSeconds: pick(env.AGENT_DRAIN_SECONDS),
    buildTimeoutSeconds: pick(env.AGENT_BUILD_TIMEOUT_SECONDS),
    cloneTimeoutSeconds: pick(values["clone-timeout"], env.AGENT_CLONE_TIMEOUT_SECONDS),
    stepTimeoutSeconds: pick(values["step-timeout"], env.AGENT_STEP_TIMEOUT_SECONDS),
    crashBackoffInitialSeconds: pick(env.AGENT_CRASH_BACKOFF_INITIAL_SECONDS),
    crashBackoffMaxSeconds: pick(env.AGENT_CRASH_BACKOFF_MAX_SECONDS),
    logLevel: pick(values["log-level"], env.AGENT_LOG_LEVEL, env.LOG_LEVEL),
    npmRegistry: pick(values["npm-registry"], env.AGENT_NPM_REGISTRY),
    caFiles: values["ca-file"]?.length ? values["ca-file"] : pick(env.AGENT_CA_FILE)?.split(path.delimiter).filter(Boolean),
    httpsProxy: pick(values["https-proxy"], env.AGENT_HTTPS_PROXY),
    httpProxy: pick(values["http-proxy"], env.AGENT_HTTP_PROXY),
    noProxy: pick(values["no-proxy"], env.AGENT_NO_PROXY),
    npmToken: pick(values["npm-token"], env.AGENT_NPM_TOKEN),
    // "" is a meaningful value here (corepack: skip the check), so it is not dropped like other empties.
    corepackIntegrityKeys: values["corepack-integrity-keys"] ?? env.AGENT_COREPACK_INTEGRITY_KEYS,
    registryTimeoutSeconds: pick(env.AGENT_REGISTRY_TIMEOUT_SECONDS),
    registryRetries: pick(env.AGENT_REGISTRY_RETRIES),
  };
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new AgentConfigError(
      result.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${hubUrl === undefined && i.path[0] === "hubUrl" ? "missing: pass --hub or set AGENT_HUB_URL" : i.message}`),
    );
  }
  const { npmRegistry, caFiles, httpsProxy, httpProxy, noProxy, npmToken, corepackIntegrityKeys, registryTimeoutSeconds, registryRetries, ...rest } = result.data;
  let registry: RegistrySettings;
  try {
    registry = resolveRegistrySettings(
      { npmRegistry, caFiles, httpsProxy, httpProxy, noProxy, npmToken, corepackIntegrityKeys, fetchTimeoutSeconds: registryTimeoutSeconds, fetchRetries: registryRetries },
      env,
    );
  } catch (err) {
    if (err instanceof RegistrySettingsError) throw new AgentConfigError([err.message]);
    throw err;
  }
  return { ...rest, registry };
}
