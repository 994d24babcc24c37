import { existsSync, readFileSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseIni } from "ini";

/**
 * How this worker's builds reach the package registry: the operator's settings (agent flags and
 * environment, docs/worker-agent.md "Package registry and trust"), with defaults taken from the
 * agent's own environment and npm configuration, so a machine where `npm ci` works in a shell
 * builds the same way without any flag. Build steps get these and nothing else from the agent
 * (src/agent/runtime/build-trust.ts turns them into env vars and files); the running app gets
 * none of them.
 */
export interface RegistrySettings {
  /** Absolute http(s) URL ending in "/". */
  npmRegistry: string;
  /** PEM files trusted in addition to the public roots Node ships (deduplicated, existing). */
  caFiles: string[];
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
  /** Bearer token for `npmRegistry` (a private registry). Secret. */
  npmToken?: string;
  /** Passed to corepack as COREPACK_INTEGRITY_KEYS ("0": skip its signature check). */
  corepackIntegrityKeys?: string;
  /** Per request, then retried `fetchRetries` times (npm's fetch-timeout / fetch-retries). */
  fetchTimeoutSeconds: number;
  fetchRetries: number;
  /** Where each value came from, for the agent's start log (never the values of secrets). */
  sources: Record<string, string>;
}

/** What the operator set explicitly (flags or AGENT_* variables); unset fields take defaults. */
export interface RegistryOverrides {
  npmRegistry?: string;
  caFiles?: string[];
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
  npmToken?: string;
  corepackIntegrityKeys?: string;
  fetchTimeoutSeconds?: number;
  fetchRetries?: number;
}

export const DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org/";
const DEFAULT_FETCH_TIMEOUT_SECONDS = 60;
const DEFAULT_FETCH_RETRIES = 2;

type Env = Record<string, string | undefined>;

/** A settings problem the operator must fix; the message names the setting. */
export class RegistrySettingsError extends Error {
  override name = "RegistrySettingsError";
}

/** npm's configuration as the machine's `npm` would see it: files, then npm_config_* variables. */
export interface NpmConfig {
  values: Record<string, string>;
  /** Which file (or "environment") each key came from. */
  origin: Record<string, string>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

/** The first command named `name` on PATH. */
function onPath(name: string, env: Env): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The npmrc files npm reads, lowest precedence first: npm's builtin npmrc, the global one under
 * the prefix npm is installed in, then the user's. The global file is looked up from the npm on
 * PATH rather than from the Node running the agent: npm derives it from the Node that runs it,
 * and the agent's Node (node_modules/.bin) is not the one a shell's `npm` runs on.
 */
export function npmrcFiles(env: Env): string[] {
  const files: string[] = [];
  const npmBin = onPath("npm", env);
  let npmPackage: string | null = null;
  if (npmBin) {
    try {
      // …/lib/node_modules/npm/bin/npm-cli.js → …/lib/node_modules/npm
      npmPackage = path.resolve(path.dirname(realpathSync(npmBin)), "..");
    } catch {
      npmPackage = null;
    }
  }
  if (npmPackage) files.push(path.join(npmPackage, "npmrc"));
  const globalConfig = nonEmpty(env.npm_config_globalconfig ?? env.NPM_CONFIG_GLOBALCONFIG);
  const prefix = nonEmpty(env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? env.PREFIX) ?? (npmPackage ? path.resolve(npmPackage, "..", "..", "..") : null);
  if (globalConfig) files.push(globalConfig);
  else if (prefix) files.push(path.join(prefix, "etc", "npmrc"));
  const userConfig = nonEmpty(env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG) ?? path.join(env.HOME ?? os.homedir(), ".npmrc");
  files.push(userConfig);
  return files;
}

/** `${VAR}` in npmrc values is read from the environment, as npm does. */
function expand(value: string, env: Env): string {
  return value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => env[name] ?? "");
}

export function readNpmConfig(env: Env, files = npmrcFiles(env)): NpmConfig {
  const values: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const [key, value] of Object.entries(parseIni(text))) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
      values[key] = expand(String(value), env);
      origin[key] = file;
    }
  }
  for (const [name, value] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(name);
    if (!m || value === undefined || name.toLowerCase() === "npm_config_userconfig" || name.toLowerCase() === "npm_config_globalconfig") continue;
    // npm reads npm_config_https_proxy as https-proxy.
    const key = m[1]!.toLowerCase().replace(/_/g, "-");
    values[key] = value;
    origin[key] = `environment ${name}`;
  }
  return { values, origin };
}

function normaliseRegistry(url: string, setting: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RegistrySettingsError(`${setting}: ${JSON.stringify(url)} is not a URL (e.g. https://registry.npmjs.org/)`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RegistrySettingsError(`${setting}: the registry must be an http:// or https:// URL`);
  if (parsed.username || parsed.password) {
    throw new RegistrySettingsError(`${setting}: put the registry's credentials in --npm-token (AGENT_NPM_TOKEN), not in its URL`);
  }
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return parsed.toString();
}

function checkProxy(url: string | undefined, setting: string): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return url;
  } catch {
    // Reported below.
  }
  throw new RegistrySettingsError(`${setting}: ${JSON.stringify(redactUrlCredentials(url))} is not an http:// or https:// proxy URL`);
}

/** `//host/path/:_authToken` keys that may hold the registry's token, most specific first (npm's lookup). */
function tokenKeys(registry: string): string[] {
  const url = new URL(registry);
  const keys: string[] = [];
  const segments = url.pathname.split("/").filter(Boolean);
  for (let n = segments.length; n >= 0; n--) {
    const p = segments.slice(0, n).join("/");
    keys.push(`//${url.host}/${p ? `${p}/` : ""}:_authToken`);
  }
  return keys;
}

/**
 * Resolves the settings builds use: each operator override wins; otherwise the agent's own
 * environment (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, HTTPS_PROXY…) and npm configuration (registry,
 * cafile, https-proxy, the registry's _authToken) give the defaults. An explicitly configured CA
 * file that does not exist is an error; a default one that does not exist is skipped.
 */
export function resolveRegistrySettings(overrides: RegistryOverrides, env: Env, npm: NpmConfig = readNpmConfig(env)): RegistrySettings {
  const sources: Record<string, string> = {};
  const npmValue = (key: string) => {
    const value = nonEmpty(npm.values[key]);
    return value ? { value, source: `npm config ${key} (${npm.origin[key]})` } : undefined;
  };
  const envValue = (...names: string[]) => {
    for (const name of names) {
      const value = nonEmpty(env[name]);
      if (value) return { value, source: name };
    }
    return undefined;
  };
  const choose = (field: string, override: string | undefined, flag: string, ...fallbacks: Array<{ value: string; source: string } | undefined>) => {
    if (nonEmpty(override)) {
      sources[field] = flag;
      return override!.trim();
    }
    const found = fallbacks.find((f) => f !== undefined);
    if (found) sources[field] = found.source;
    return found?.value;
  };

  const registry = choose("npmRegistry", overrides.npmRegistry, "--npm-registry", npmValue("registry")) ?? DEFAULT_NPM_REGISTRY;
  if (!sources.npmRegistry) sources.npmRegistry = "npm's default";
  const npmRegistry = normaliseRegistry(registry, sources.npmRegistry);

  let caFiles: string[];
  if (overrides.caFiles && overrides.caFiles.length > 0) {
    caFiles = [...new Set(overrides.caFiles.map((f) => path.resolve(f)))];
    for (const file of caFiles) {
      if (!existsSync(file)) throw new RegistrySettingsError(`--ca-file: ${file} does not exist`);
    }
    sources.caFiles = "--ca-file";
  } else {
    const candidates = [envValue("NODE_EXTRA_CA_CERTS"), envValue("SSL_CERT_FILE"), npmValue("cafile")].filter((c) => c !== undefined);
    const present = candidates.filter((c) => existsSync(c.value));
    caFiles = [...new Set(present.map((c) => path.resolve(c.value)))];
    if (present.length) sources.caFiles = [...new Set(present.map((c) => c.source))].join(", ");
  }

  const httpsProxy = checkProxy(choose("httpsProxy", overrides.httpsProxy, "--https-proxy", envValue("HTTPS_PROXY", "https_proxy"), npmValue("https-proxy")), "--https-proxy");
  const httpProxy = checkProxy(choose("httpProxy", overrides.httpProxy, "--http-proxy", envValue("HTTP_PROXY", "http_proxy"), npmValue("proxy")), "--http-proxy");
  const noProxy = choose("noProxy", overrides.noProxy, "--no-proxy", envValue("NO_PROXY", "no_proxy"), npmValue("noproxy"));

  const npmToken = choose("npmToken", overrides.npmToken, "--npm-token", ...tokenKeys(npmRegistry).map((key) => npmValue(key)));
  const corepackIntegrityKeys = overrides.corepackIntegrityKeys ?? nonEmpty(env.COREPACK_INTEGRITY_KEYS) ?? (env.COREPACK_INTEGRITY_KEYS === "" ? "" : undefined);
  if (corepackIntegrityKeys !== undefined) sources.corepackIntegrityKeys = overrides.corepackIntegrityKeys !== undefined ? "--corepack-integrity-keys" : "COREPACK_INTEGRITY_KEYS";

  return {
    npmRegistry,
    caFiles,
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(httpProxy ? { httpProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
    ...(npmToken ? { npmToken } : {}),
    ...(corepackIntegrityKeys !== undefined ? { corepackIntegrityKeys } : {}),
    fetchTimeoutSeconds: overrides.fetchTimeoutSeconds ?? DEFAULT_FETCH_TIMEOUT_SECONDS,
    fetchRetries: overrides.fetchRetries ?? DEFAULT_FETCH_RETRIES,
    sources,
  };
}

/** A URL with its user and password replaced, for logs. */
export function redactUrlCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "***";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** The settings as they may be logged or printed in a build log: no token, no proxy password. */
export function describeRegistrySettings(settings: RegistrySettings): Record<string, string | number | string[]> {
  return {
    npmRegistry: settings.npmRegistry,
    caFiles: settings.caFiles,
    httpsProxy: settings.httpsProxy ? redactUrlCredentials(settings.httpsProxy) : "none",
    httpProxy: settings.httpProxy ? redactUrlCredentials(settings.httpProxy) : "none",
    noProxy: settings.noProxy ?? "",
    npmToken: settings.npmToken ? "set" : "none",
    fetchTimeoutSeconds: settings.fetchTimeoutSeconds,
    fetchRetries: settings.fetchRetries,
  };
}
