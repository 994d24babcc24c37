import { X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { rootCertificates } from "node:tls";
import type { RegistrySettings } from "../config/registry-settings";

/**
 * Turns the worker's registry settings (src/agent/config/registry-settings.ts) into what one
 * build step gets: environment variables and the files they point at (an npmrc and a CA bundle).
 * Runtime-neutral: the process runtime writes the files into the build's private temp HOME; a
 * container build mounts them as build-time secrets at the paths it passes in, and passes the
 * variables named in `secretEnv` as secrets too, so neither lands in an image layer.
 */
export interface BuildTrustPaths {
  /** Where the build's npmrc will be, as the build step sees it (npm, pnpm and yarn 1 read it). */
  npmrc: string;
  /** Where the CA bundle will be, as the build step sees it. */
  caBundle: string;
  /** Where yarn 1's rc file will be (its network timeout): `<HOME>/.yarnrc`. */
  yarnrc: string;
  /** Yarn 1's package cache, kept across builds (optional: else yarn's default under HOME). */
  yarnCacheFolder?: string;
}

export interface BuildTrustFile {
  /** The path given in BuildTrustPaths. */
  path: string;
  contents: string;
  /** Holds a credential (the npmrc with a registry token): mount as a secret, never copy into a layer. */
  secret: boolean;
}

export interface BuildTrust {
  /** Variables for every build step (install, build; also git). Values may name the files below. */
  env: Record<string, string>;
  /** Names in `env` whose values are credentials (the registry token). */
  secretEnv: string[];
  files: BuildTrustFile[];
  /** For the top of the build log: registry, CA bundle, proxy, token (set or not), never a secret. */
  summary: string;
}

/**
 * The CA bundle builds trust: Node's public roots plus every configured CA file, each
 * certificate once. Public roots stay in, because npm's `cafile` and SSL_CERT_FILE replace the
 * default trust store rather than add to it. Null when no CA file is configured (the defaults
 * are enough). A configured file without any certificate is an error naming it.
 */
export async function caBundle(settings: Pick<RegistrySettings, "caFiles">): Promise<string | null> {
  if (settings.caFiles.length === 0) return null;
  const seen = new Set<string>();
  const pems: string[] = [];
  const add = (pem: string) => {
    const key = pem.replace(/\s+/g, "");
    if (seen.has(key)) return;
    seen.add(key);
    pems.push(pem.trim());
  };
  for (const pem of rootCertificates) add(pem);
  for (const file of settings.caFiles) {
    const text = await readFile(file, "utf8").catch((err: Error) => {
      throw new Error(`the worker's CA file ${file} cannot be read (${err.message}); fix --ca-file (AGENT_CA_FILE)`);
    });
    const found = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const valid = found.filter((pem) => {
      try {
        new X509Certificate(pem);
        return true;
      } catch {
        return false;
      }
    });
    if (valid.length === 0) throw new Error(`the worker's CA file ${file} holds no PEM certificate; fix --ca-file (AGENT_CA_FILE)`);
    for (const pem of valid) add(pem);
  }
  return `${pems.join("\n")}\n`;
}

/** `//host/path/:_authToken`, the npmrc key that sends the token to this registry only. */
function authTokenKey(registry: string): string {
  const url = new URL(registry);
  return `//${url.host}${url.pathname}:_authToken`;
}

/** npmrc lines must not break across lines: a value with a newline could add settings. */
function npmrcValue(value: string, name: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`the worker's ${name} setting contains a line break`);
  return value;
}

export function npmrcText(settings: RegistrySettings, caBundlePath: string | null): string {
  const lines = [
    "# Written by the WiseHosting agent for this build only (docs/worker-agent.md).",
    `registry=${npmrcValue(settings.npmRegistry, "--npm-registry")}`,
    `fetch-timeout=${Math.round(settings.fetchTimeoutSeconds * 1000)}`,
    `fetch-retries=${settings.fetchRetries}`,
  ];
  if (caBundlePath) lines.push(`cafile=${caBundlePath}`);
  if (settings.httpsProxy) lines.push(`https-proxy=${npmrcValue(settings.httpsProxy, "--https-proxy")}`);
  if (settings.httpProxy) lines.push(`proxy=${npmrcValue(settings.httpProxy, "--http-proxy")}`);
  if (settings.noProxy) lines.push(`noproxy=${npmrcValue(settings.noProxy, "--no-proxy")}`);
  if (settings.npmToken) lines.push(`${authTokenKey(settings.npmRegistry)}=${npmrcValue(settings.npmToken, "--npm-token")}`);
  return `${lines.join("\n")}\n`;
}

/** Yarn 1 takes its registry, CA and proxy from npmrc; only these come from its own rc file. */
function yarnrcText(settings: RegistrySettings, cacheFolder: string | undefined): string {
  const lines = [`network-timeout ${Math.round(settings.fetchTimeoutSeconds * 1000)}`];
  if (cacheFolder) lines.push(`cache-folder ${JSON.stringify(cacheFolder)}`);
  return `${lines.join("\n")}\n`;
}

function summaryOf(settings: RegistrySettings, caCount: number): string {
  const parts = [`registry ${settings.npmRegistry}`];
  parts.push(caCount ? `CA files ${settings.caFiles.join(", ")}` : "public CAs only");
  const proxy = settings.httpsProxy ?? settings.httpProxy;
  parts.push(proxy ? `proxy ${new URL(proxy).host}` : "no proxy");
  parts.push(settings.npmToken ? "registry token set" : "no registry token");
  return parts.join(" · ");
}

/**
 * The environment and files of one build. Proxy variables go in both spellings (tools read one or
 * the other); corepack gets the registry, token and integrity keys; yarn 2+ gets its own
 * variables (it ignores npmrc). Nothing of the agent's own environment is included.
 */
export async function buildTrust(settings: RegistrySettings, paths: BuildTrustPaths): Promise<BuildTrust> {
  const bundle = await caBundle(settings);
  const env: Record<string, string> = {
    NPM_CONFIG_USERCONFIG: paths.npmrc,
    COREPACK_NPM_REGISTRY: settings.npmRegistry.replace(/\/$/, ""),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
    COREPACK_ENABLE_AUTO_PIN: "0",
    YARN_NPM_REGISTRY_SERVER: settings.npmRegistry,
    YARN_HTTP_TIMEOUT: String(Math.round(settings.fetchTimeoutSeconds * 1000)),
    YARN_ENABLE_TELEMETRY: "0",
  };
  const secretEnv: string[] = [];
  if (bundle) {
    Object.assign(env, {
      NODE_EXTRA_CA_CERTS: paths.caBundle,
      SSL_CERT_FILE: paths.caBundle,
      GIT_SSL_CAINFO: paths.caBundle,
      CURL_CA_BUNDLE: paths.caBundle,
      YARN_HTTPS_CA_FILE_PATH: paths.caBundle,
    });
  }
  if (settings.httpsProxy) Object.assign(env, { HTTPS_PROXY: settings.httpsProxy, https_proxy: settings.httpsProxy, YARN_HTTPS_PROXY: settings.httpsProxy });
  if (settings.httpProxy) Object.assign(env, { HTTP_PROXY: settings.httpProxy, http_proxy: settings.httpProxy, YARN_HTTP_PROXY: settings.httpProxy });
  if (settings.noProxy) Object.assign(env, { NO_PROXY: settings.noProxy, no_proxy: settings.noProxy });
  if (settings.corepackIntegrityKeys !== undefined) env.COREPACK_INTEGRITY_KEYS = settings.corepackIntegrityKeys;
  if (settings.npmToken) {
    Object.assign(env, { COREPACK_NPM_TOKEN: settings.npmToken, YARN_NPM_AUTH_TOKEN: settings.npmToken });
    secretEnv.push("COREPACK_NPM_TOKEN", "YARN_NPM_AUTH_TOKEN");
  }
  const files: BuildTrustFile[] = [
    { path: paths.npmrc, contents: npmrcText(settings, bundle ? paths.caBundle : null), secret: Boolean(settings.npmToken) },
    { path: paths.yarnrc, contents: yarnrcText(settings, paths.yarnCacheFolder), secret: false },
  ];
  if (bundle) files.push({ path: paths.caBundle, contents: bundle, secret: false });
  return { env, secretEnv, files, summary: summaryOf(settings, bundle ? settings.caFiles.length : 0) };
}

/** Writes the files of a BuildTrust (0600, directories 0700), for runtimes that run builds on the host. */
export async function writeBuildTrustFiles(trust: BuildTrust): Promise<void> {
  for (const file of trust.files) {
    await mkdir(path.dirname(file.path), { recursive: true, mode: 0o700 });
    await writeFile(file.path, file.contents, { mode: 0o600 });
  }
}
