export interface ChildEnvInputs {
  /** The launcher's own environment: the operator's settings. */
  env: NodeJS.ProcessEnv;
  /** Generated development secrets for the names the operator left unset. */
  generatedSecrets: Record<string, string>;
  databaseUrl: string;
  dataDir: string;
  webUrl: string;
  hubPort: number;
  distDir: string;
  sampleRepoUrl?: string;
}

/**
 * The environment of every child process. Operator settings always win: generated secrets and
 * derived addresses only fill what the operator left unset, so a token or APP_SECRET they chose
 * keeps working and data encrypted with it stays readable.
 */
export function buildChildEnv(i: ChildEnvInputs): NodeJS.ProcessEnv {
  const set = (name: string) => (i.env[name] ? i.env[name] : undefined);
  const hubInternal = `http://127.0.0.1:${i.hubPort}`;
  return {
    ...i.generatedSecrets,
    ...i.env,
    DATABASE_URL: i.databaseUrl,
    DATA_DIR: i.dataDir,
    PUBLIC_URL: set("PUBLIC_URL") ?? i.webUrl,
    HUB_PUBLIC_URL: set("HUB_PUBLIC_URL") ?? `http://localhost:${i.hubPort}`,
    HUB_INTERNAL_URL: set("HUB_INTERNAL_URL") ?? hubInternal,
    HUB_URL: set("HUB_URL") ?? hubInternal,
    NEXT_DIST_DIR: i.distDir,
    NEXT_TELEMETRY_DISABLED: "1",
    // `npm start` is the development setup: say so explicitly, since development-only tools (the
    // mail catcher) never switch on for an unset mode (src/server/mail/mail-catcher-mode.ts).
    WH_ENV: set("WH_ENV") ?? set("NODE_ENV") ?? "development",
    ...(set("SAMPLE_REPO_URL") ?? i.sampleRepoUrl ? { SAMPLE_REPO_URL: set("SAMPLE_REPO_URL") ?? i.sampleRepoUrl } : {}),
  };
}
