import type { RegistrySettings } from "../../config/registry-settings";
import { buildTrust, type BuildTrust } from "../build-trust";
import type { ExtraFile } from "./build-context";
import type { EngineName } from "./engine";

/**
 * The worker's registry and trust settings (src/agent/config/registry-settings.ts) as build-time
 * secrets of an image build: the npmrc (registry, CA, proxy, token), the CA bundle, yarn 1's rc
 * file and the build steps' variables, each mounted only into the RUN steps that install and
 * build, never copied into a layer. Podman's Docker-compatible POST /build takes `secrets` as
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
};

/** Secret ids an app's own Dockerfile may mount (docs/worker-agent.md "Package registry and trust"). */
export const SECRET_IDS = { npmrc: "wh-npmrc", caBundle: "wh-ca-bundle", yarnrc: "wh-yarnrc", env: "wh-build-env" } as const;

export interface BuildSecrets {
  /** Files for the top of the build context, named by `secretsParam`; the engine moves them out. */
  contextFiles: ExtraFile[];
  /** The `secrets` query parameter of POST /build (a JSON array). */
  secretsParam: string;
  /** `--mount=type=secret,…` flags for a RUN line that installs or builds. */
  mountFlags: string;
  /** Prefix of a step's argv: loads the build variables, then execs the step (fixed text, no input). */
  argvPrefix: string[];
  /** For the build log: registry, CA, proxy, token set or not; never a secret. */
  summary: string;
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

/** Null where the engine cannot take build secrets (Docker's classic builder): `reason` says so. */
export async function buildSecrets(
  engine: EngineName,
  settings: RegistrySettings,
  /** A per-build token in the context file names, so no repository file can be taken for one. */
  nonce: string,
): Promise<BuildSecrets | { unsupported: string; summary: string }> {
  const trust: BuildTrust = await buildTrust(settings, { npmrc: PATHS.npmrc, caBundle: PATHS.caBundle, yarnrc: PATHS.yarnrc });
  if (engine !== "podman") {
    return {
      unsupported:
        "this engine (Docker's classic builder) takes no build-time secrets, so the worker's registry, CA, proxy and token settings are not passed to the build; use Podman, or give the image its settings in the Dockerfile",
      summary: trust.summary,
    };
  }
  const files: Array<{ id: string; target: string; contents: string }> = [{ id: SECRET_IDS.env, target: PATHS.env, contents: envFile(trust.env) }];
  for (const file of trust.files) {
    const id = file.path === PATHS.npmrc ? SECRET_IDS.npmrc : file.path === PATHS.caBundle ? SECRET_IDS.caBundle : SECRET_IDS.yarnrc;
    files.push({ id, target: file.path, contents: file.contents });
  }
  const name = (id: string) => `.wh-secret-${nonce}-${id}`;
  return {
    contextFiles: files.map((f) => ({ name: name(f.id), content: f.contents, mode: 0o600 })),
    secretsParam: JSON.stringify(files.map((f) => `id=${f.id},src=${name(f.id)}`)),
    mountFlags: files.map((f) => `--mount=type=secret,id=${f.id},target=${f.target}`).join(" "),
    argvPrefix: ["/bin/sh", "-c", `. ${PATHS.env} && exec "$@"`, "sh"],
    summary: trust.summary,
  };
}
