/**
 * Builds the platform image (the repository's Containerfile) with this machine's npm registry and
 * trust settings as build secrets, so `npm ci` inside the build works where it works in a shell
 * (a private registry, a proxy, a TLS-intercepting CA): the settings are read as the worker agent
 * reads them (src/agent/config/registry-settings.ts: npm's config files, NODE_EXTRA_CA_CERTS,
 * SSL_CERT_FILE, HTTPS_PROXY…) and handed to Podman as the secrets the Containerfile mounts
 * (wh-npmrc, wh-ca-bundle, wh-build-env), never as build args or context files, so no layer and no
 * history entry holds them.
 *
 *   node --import tsx deploy/image/build-platform-image.ts [--tag T] [--node-image I]
 *
 * tests/packaging/platform-image.test.ts builds the image with it.
 */
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { resolveRegistrySettings } from "../../src/agent/config/registry-settings";
import { buildTrust } from "../../src/agent/runtime/build-trust";
import { findOnPath } from "../../src/agent/runtime/container/find-on-path";

/** Where the Containerfile's npm ci step finds the secrets (its RUN --mount lines). */
const TARGETS = { npmrc: "/run/wisehosting/npmrc", caBundle: "/run/wisehosting/ca-bundle.pem", yarnrc: "/run/wisehosting/yarnrc", env: "/run/wisehosting/build-env" };
const IDS: Record<string, string> = { [TARGETS.npmrc]: "wh-npmrc", [TARGETS.caBundle]: "wh-ca-bundle" };

export const DEFAULT_PLATFORM_TAG = "localhost/wisehosting/platform:latest";

const optionsSchema = z.object({
  tag: z.string().regex(/^[a-z0-9][a-z0-9._/:-]*$/, "--tag must be an image name such as localhost/wisehosting/platform:latest").default(DEFAULT_PLATFORM_TAG),
  nodeImage: z.string().regex(/^[a-z0-9][a-z0-9._/:@-]*$/, "--node-image must be an image name such as localhost/wisehosting/node-base:24").optional(),
  contextDir: z.string().default(process.cwd()),
});
export type PlatformImageOptions = z.input<typeof optionsSchema> & { onLine?: (line: string) => void };

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Builds the image; resolves with the build's output, rejects with its tail when podman fails. */
export async function buildPlatformImage(input: PlatformImageOptions): Promise<{ tag: string; output: string; summary: string }> {
  const options = optionsSchema.parse(input);
  const onLine = input.onLine ?? (() => {});
  const settings = resolveRegistrySettings({}, process.env);
  const trust = await buildTrust(settings, { npmrc: TARGETS.npmrc, caBundle: TARGETS.caBundle, yarnrc: TARGETS.yarnrc });
  const dir = await mkdtemp(path.join(os.tmpdir(), "wh-platform-secrets-"));
  await chmod(dir, 0o700);
  try {
    const secretArgs: string[] = [];
    const put = async (id: string, contents: string) => {
      const file = path.join(dir, id);
      await writeFile(file, contents, { mode: 0o600 });
      secretArgs.push("--secret", `id=${id},src=${file}`);
    };
    for (const file of trust.files) if (IDS[file.path]) await put(IDS[file.path]!, file.contents);
    await put("wh-build-env", `${Object.entries(trust.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join("\n")}\n`);
    const runtime = (await findOnPath("runc")) ? ["--runtime", "runc"] : [];
    const argv = [
      "build",
      ...runtime,
      "--format",
      "docker",
      "-t",
      options.tag,
      ...(options.nodeImage ? ["--build-arg", `NODE_IMAGE=${options.nodeImage}`] : []),
      ...secretArgs,
      "-f",
      "Containerfile",
      ".",
    ];
    onLine(`npm ci in the build: ${trust.summary}`);
    onLine(`$ podman ${argv.map((a) => (a.startsWith(dir) || a.includes(`src=${dir}`) ? a.replace(dir, "<secrets>") : a)).join(" ")}`);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn("podman", argv, { cwd: options.contextDir, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      const take = (chunk: Buffer) => {
        const text = chunk.toString();
        out += text;
        for (const line of text.split("\n")) if (line) onLine(line);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.once("error", (err) => reject(new Error(`podman could not run (${err.message}): install Podman (apt-get install podman runc)`)));
      child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`podman build failed (exit ${code}):\n${out.split("\n").slice(-40).join("\n")}`))));
    });
    return { tag: options.tag, output, summary: trust.summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { tag: { type: "string" }, "node-image": { type: "string" } } });
  buildPlatformImage({ ...(values.tag ? { tag: values.tag } : {}), ...(values["node-image"] ? { nodeImage: values["node-image"] } : {}), onLine: (l) => console.log(l) }).then(
    (r) => console.log(`built ${r.tag}`),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
