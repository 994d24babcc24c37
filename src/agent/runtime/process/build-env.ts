import { existsSync } from "node:fs";
import path from "node:path";
import type { BuildTrust } from "../build-trust";

/** Agent environment variables the app and its builds keep; nothing else of the agent's leaks. */
const PASSTHROUGH = ["TZ"];

type AgentEnv = Record<string, string | undefined>;

/** PATH of builds and apps: the agent's own Node first, so `npm` and `node` run on its version. */
export function childPath(agentEnv: AgentEnv = process.env): string {
  return [path.dirname(process.execPath), agentEnv.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(path.delimiter);
}

/** Whether `name` is an executable found on `pathVar`. */
export function commandOnPath(name: string, pathVar: string): boolean {
  return pathVar.split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
}

function baseEnvironment(home: string, npmCache: string, agentEnv: AgentEnv): Record<string, string> {
  const env: Record<string, string> = {
    PATH: childPath(agentEnv),
    HOME: home,
    LANG: "C.UTF-8",
    CI: "true",
    npm_config_cache: npmCache,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  for (const name of PASSTHROUGH) {
    const value = agentEnv[name];
    if (value) env[name] = value;
  }
  return env;
}

/**
 * The environment of the running app. Starts empty rather than from the agent's own
 * environment, so the agent's API key and registration token never reach user code; the
 * registry settings of builds (token, npmrc, CA bundle, proxies) are not in it either.
 */
export function appEnvironment(options: {
  home: string;
  npmCache: string;
  appEnv: Record<string, string>;
  port: number;
  agentEnv?: AgentEnv;
}): Record<string, string> {
  const env = baseEnvironment(options.home, options.npmCache, options.agentEnv ?? process.env);
  Object.assign(env, options.appEnv);
  env.PORT = String(options.port);
  return env;
}

/**
 * The environment of every build step (clone, install, build): the app's env vars, then the
 * worker's registry settings, which win so a build always uses the registry, CA bundle and proxy
 * the operator configured. `home` is the build's private temp HOME that holds its npmrc.
 */
export function buildEnvironment(options: {
  home: string;
  npmCache: string;
  /** Package manager caches kept across builds (corepack's downloads, pnpm's store). */
  corepackHome: string;
  pnpmStore: string;
  appEnv: Record<string, string>;
  trust: BuildTrust;
  agentEnv?: AgentEnv;
}): Record<string, string> {
  const env = baseEnvironment(options.home, options.npmCache, options.agentEnv ?? process.env);
  Object.assign(env, {
    COREPACK_HOME: options.corepackHome,
    npm_config_store_dir: options.pnpmStore,
    NEXT_TELEMETRY_DISABLED: "1",
  });
  Object.assign(env, options.appEnv);
  Object.assign(env, options.trust.env);
  return env;
}
