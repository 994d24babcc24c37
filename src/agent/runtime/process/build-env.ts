import path from "node:path";

/** Agent environment variables a build may need to reach a package registry; nothing else leaks. */
const PASSTHROUGH = ["npm_config_registry", "NPM_CONFIG_REGISTRY", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "TZ"];

/**
 * The environment of build steps and of the app itself. Starts empty rather than from the
 * agent's own environment, so the agent's API key and registration token never reach user code.
 */
export function appEnvironment(options: {
  home: string;
  npmCache: string;
  appEnv: Record<string, string>;
  port?: number;
  agentEnv?: Record<string, string | undefined>;
}): Record<string, string> {
  const agentEnv = options.agentEnv ?? process.env;
  // The agent's own Node comes first, so `npm` and `node` in the app run on the same version.
  const pathVar = [path.dirname(process.execPath), agentEnv.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(path.delimiter);
  const env: Record<string, string> = {
    PATH: pathVar,
    HOME: options.home,
    LANG: "C.UTF-8",
    CI: "true",
    npm_config_cache: options.npmCache,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  for (const name of PASSTHROUGH) {
    const value = agentEnv[name];
    if (value) env[name] = value;
  }
  Object.assign(env, options.appEnv);
  if (options.port !== undefined) env.PORT = String(options.port);
  return env;
}
