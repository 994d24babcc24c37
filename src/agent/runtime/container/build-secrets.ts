import type { RegistrySettings } from "../../config/registry-settings";
import { buildTrust, type BuildTrust } from "../build-trust";
import type { ExtraFile } from "./build-context";
import type { EngineName } from "./engine";

/**
 * The worker's registry and trust settings (src/agent/config/registry-settings.ts) and the app's
 * own env vars as build-time secrets of an image build: the npmrc (registry, CA, proxy, token),
 * the CA bundle, yarn 1's rc file, the build steps' variables and the app's variables (so
 * `NEXT_PUBLIC_*` reach `next build` without being in the image's history, as build args would
 * be), each mounted only into the RUN steps that install and build, never copied into a layer. Podman's Docker-compatible POST /build takes `secrets` as
 * "id=…,src=<file at the top of the build context>" and moves each such file out of the context
 * before the build starts, so a `COPY .` cannot pick it up (checked against Podman 4.3, see
 * tests/container/build-trust.test.ts). Docker's classic builder has no build secrets: there the
 * settings are left out, because anything else would bake them into the image.
 */

/** Where the mounted files are, as the build steps see them; nothing is left there afterwards. */
export const SECRETS_DIR = "/run/wisehosting";
const PATHS = {
  npmrc: `${SECRETS_DIR}/npmrc`,
  caBundle: `${SECRETS_DIR}/ca-bundle.pem`,
  // Yarn 1 reads its rc file from HOME, which generated Containerfiles set to /tmp.
  yarnrc: "/tmp/.yarnrc",
  env: `${SECRETS_DIR}/build-env`,
  appEnv: `${SECRETS_DIR}/app-env`,
};

/** Files a generated build step loads, in this order: the app's variables, then the registry's, which win. */
export const STEP_ENV_FILES = [PATHS.appEnv, PATHS.env];

/** Secret ids an app's own Dockerfile may mount (docs/worker-agent.md "Package registry and trust"). */
export const SECRET_IDS = { npmrc: "wh-npmrc", caBundle: "wh-ca-bundle", yarnrc: "wh-yarnrc", env: "wh-build-env", appEnv: "wh-app-env" } as const;

/** Env var names a shell can export (the variables file is read with `.`); others are left out. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export interface BuildSecrets {
  /** Files for the top of the build context, named by `secretsParam`; the engine moves them out. */
  contextFiles: ExtraFile[];
  /** The `secrets` query parameter of POST /build (a JSON array). */
  secretsParam: string;
  /** `--mount=type=secret,…` flags for a RUN line that installs or builds. */
  mountFlags: string;
}

export interface BuildSecretsResult {
  /** Null where the engine takes no build secrets (Docker's classic builder). */
  secrets: BuildSecrets | null;
  /** For the build log: registry, CA, proxy, token set or not; never a secret. Null without registry settings. */
  summary: string | null;
  /** Sentences for the build log: what was left out and why (never a value). */
  notes: string[];
}

/** A shell word in single quotes, for the variables file a fixed `.` reads. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function envFile(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join("\n")}\n`;
}

/**
 * The secrets of one image build. `registry` unset: only the app's variables. The app's variables
 * whose names a shell cannot export are left out with a note, as are all of them on an engine
 * without build secrets (a build arg would put their values in the image's history).
 */
export async function buildSecrets(
  engine: EngineName,
  options: { registry?: RegistrySettings; appEnv?: Record<string, string> },
  /** A per-build token in the context file names, so no repository file can be taken for one. */
  nonce: string,
): Promise<BuildSecretsResult> {
  const notes: string[] = [];
  const trust: BuildTrust | null = options.registry ? await buildTrust(options.registry, { npmrc: PATHS.npmrc, caBundle: PATHS.caBundle, yarnrc: PATHS.yarnrc }) : null;
  const appEnv = Object.entries(options.appEnv ?? {});
  const usable = appEnv.filter(([name]) => ENV_NAME.test(name));
  const skipped = appEnv.filter(([name]) => !ENV_NAME.test(name)).map(([name]) => name);
  if (skipped.length) notes.push(`not passed to the build (not usable as shell variable names): ${skipped.join(", ")}`);
  if (engine !== "podman") {
    if (trust) {
      notes.push(
        "this engine (Docker's classic builder) takes no build-time secrets, so the worker's registry, CA, proxy and token settings are not passed to the build; use Podman, or give the image its settings in the Dockerfile",
      );
    }
    if (usable.length) notes.push("this engine (Docker's classic builder) takes no build-time secrets, so the app's env vars are not passed to generated builds (as build args their values would be in the image's history); use Podman");
    return { secrets: null, summary: trust?.summary ?? null, notes };
  }
  const files: Array<{ id: string; target: string; contents: string }> = [];
  if (usable.length) files.push({ id: SECRET_IDS.appEnv, target: PATHS.appEnv, contents: envFile(Object.fromEntries(usable)) });
  if (trust) {
    files.push({ id: SECRET_IDS.env, target: PATHS.env, contents: envFile(trust.env) });
    for (const file of trust.files) {
      const id = file.path === PATHS.npmrc ? SECRET_IDS.npmrc : file.path === PATHS.caBundle ? SECRET_IDS.caBundle : SECRET_IDS.yarnrc;
      files.push({ id, target: file.path, contents: file.contents });
    }
  }
  if (files.length === 0) return { secrets: null, summary: null, notes };
  const name = (id: string) => `.wh-secret-${nonce}-${id}`;
  return {
    secrets: {
      contextFiles: files.map((f) => ({ name: name(f.id), content: f.contents, mode: 0o600 })),
      secretsParam: JSON.stringify(files.map((f) => `id=${f.id},src=${name(f.id)}`)),
      mountFlags: files.map((f) => `--mount=type=secret,id=${f.id},target=${f.target}`).join(" "),
    },
    summary: trust?.summary ?? null,
    notes,
  };
}
