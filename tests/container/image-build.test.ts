import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, runAppContainer, removeContainer, stopContainer } from "../../src/agent/runtime/container/app-container";
import { containerBuildSettingsSchema, type ContainerBuildSettings } from "../../src/agent/runtime/container/build-plan";
import { buildAppImage, ImageBuildError, type ImageBuildRequest } from "../../src/agent/runtime/container/image-build";
import { engineCall } from "../../src/agent/runtime/container/engine-request";
import { inspectImage, listAppImages, pruneAppImages } from "../../src/agent/runtime/container/images";
import { LABELS } from "../../src/agent/runtime/container/labels";
import { SourceValidationError } from "../../src/agent/runtime/repo-source";
import { freePort } from "../../src/net/free-port";
import { eventually, httpGet, nextApp, openContainerFixture, writeApp, type ContainerFixture } from "./support/container-fixture";

let fixture: ContainerFixture;
beforeAll(async () => {
  fixture = await openContainerFixture("build");
}, 600_000);
afterAll(async () => {
  await fixture?.cleanup();
}, 120_000);

const settings = (overrides: Partial<ContainerBuildSettings> = {}) => containerBuildSettingsSchema.parse(overrides);

function request(checkout: string, overrides: Partial<ImageBuildRequest> = {}) {
  const lines: string[] = [];
  const progress: number[] = [];
  const req: ImageBuildRequest = {
    engine: fixture.engine,
    checkout,
    settings: settings(),
    app: nextApp(fixture),
    internalPort: 8080,
    baseImage: fixture.baseImage,
    limits: { cpu: 1, memoryMb: 512 },
    timeoutMs: 120_000,
    onLine: (l) => lines.push(l),
    onProgress: (p) => progress.push(p),
    ...overrides,
  };
  return { req, lines, progress };
}

/** Runs the built image and waits until it answers on its published port. */
async function serve(image: string, app: ReturnType<typeof nextApp>, readOnlyRootfs: boolean, env: Record<string, string> = {}) {
  const hostPort = await freePort();
  const { id } = await runAppContainer(fixture.engine, {
    app,
    image,
    internalPort: 8080,
    hostIp: "127.0.0.1",
    hostPort,
    env,
    limits: { cpu: 0.5, memoryMb: 256, pids: 128 },
    readOnlyRootfs,
  });
  return { id, hostPort, answer: (p = "/") => eventually(() => httpGet(hostPort, p), 30_000, `the app on port ${hostPort}`) };
}

describe("image builds", () => {
  it("builds a Node app with a generated Containerfile, shown in the log, tagged and labelled per deployment", async () => {
    const dir = writeApp(fixture, "node-app", {
      "package.json": JSON.stringify({ name: "n", version: "1.0.0", scripts: { build: "node build.js", start: "node server.js" } }),
      "build.js": `require("node:fs").writeFileSync("built.txt", "built at build time by " + process.env.WHO_BUILT);`,
      "server.js": `const fs = require("node:fs");
        require("node:http").createServer((q, s) => s.end("hello " + process.env.WHO + " / " + fs.readFileSync("built.txt", "utf8") + " / uid " + process.getuid()))
          .listen(Number(process.env.PORT), () => console.log("listening"));`,
    });
    const { req, lines, progress } = request(dir, { buildEnv: { WHO_BUILT: "the build", "not-an-arg": "x" } });
    const result = await buildAppImage(req);

    expect(result.kind).toBe("node");
    expect(result.image).toBe(`localhost/wisehosting/app-${req.app.appId}:${req.app.deploymentId}`);
    expect(result.readOnlyRootfs).toBe(true);
    expect(result.containerfile).toContain(`FROM ${fixture.baseImage}`);
    expect(result.containerfile).toContain('"sh","npm","run","build"]');
    // The start script runs without npm, under the signal relay (src/agent/runtime/container/start-command.ts).
    expect(result.containerfile).toContain('"wisehosting-start","node","server.js"]');
    expect(result.containerfile).not.toContain('"npm","start"');
    expect(lines).toContain("generated Containerfile:");
    expect(lines).toContain(`  FROM ${fixture.baseImage}`);
    expect(lines.some((l) => /not passed to the build.*not-an-arg/.test(l))).toBe(true);
    expect(progress.at(-1)).toBe(100);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);

    const info = await inspectImage(fixture.engine, result.image);
    expect(info?.Config?.Labels).toMatchObject({
      [LABELS.managed]: "true",
      [LABELS.appId]: String(req.app.appId),
      [LABELS.deploymentId]: String(req.app.deploymentId),
      [LABELS.worker]: fixture.workerName,
      [LABELS.kind]: "node",
    });
    expect((await listAppImages(fixture.engine, { workerName: fixture.workerName, appId: req.app.appId })).map((i) => i.Id)).toContain(result.imageId);

    const app = await serve(result.image, req.app, result.readOnlyRootfs, { WHO: "world" });
    const res = await app.answer();
    expect(res.body).toBe("hello world / built at build time by the build / uid 10001");
    await removeContainer(fixture.engine, app.id, { force: true });
  }, 180_000);

  it("starts a plain start script without npm, with npm's variables; a script with a prestart hook or shell syntax keeps npm start", async () => {
    // What an app sees of npm: its variables and node_modules/.bin on PATH (a bin the start script names).
    const report = `require("node:http").createServer((q, s) => s.end(JSON.stringify({
        event: process.env.npm_lifecycle_event, name: process.env.npm_package_name, version: process.env.npm_package_version,
        script: process.env.npm_lifecycle_script, parent: process.ppid, hooked: require("node:fs").existsSync("/tmp/prestart-ran") }))).listen(Number(process.env.PORT));`;
    const bin = { "node_modules/.bin/serve-it": `#!/usr/bin/env node
${report}
` };
    const direct = writeApp(fixture, "direct-start", { "package.json": JSON.stringify({ name: "direct-start", version: "2.3.4", scripts: { start: "serve-it --quiet" } }), ...bin });
    const hooked = writeApp(fixture, "hooked-start", {
      "package.json": JSON.stringify({ name: "hooked-start", version: "1.0.0", scripts: { prestart: "touch /tmp/prestart-ran", start: "serve-it" } }),
      ...bin,
    });
    const shelled = writeApp(fixture, "shell-start", { "package.json": JSON.stringify({ name: "shell-start", version: "1.0.0", scripts: { start: "GREETING=hi serve-it" } }), ...bin });
    for (const dir of [direct, hooked, shelled]) execFileSync("chmod", ["755", `${dir}/node_modules/.bin/serve-it`]);

    const seen: Record<string, { containerfile: string; answer: Record<string, unknown>; exitCode: number | null }> = {};
    for (const [name, dir] of Object.entries({ direct, hooked, shelled })) {
      const { req } = request(dir);
      const result = await buildAppImage(req);
      const app = await serve(result.image, req.app, result.readOnlyRootfs);
      seen[name] = { containerfile: result.containerfile ?? "", answer: JSON.parse((await app.answer()).body) as Record<string, unknown>, exitCode: null };
      // The app sets no SIGTERM handler: the engine's stop reaches it through the relay and it
      // dies of SIGTERM (143), long before a 60 s grace would end in SIGKILL (137).
      await stopContainer(fixture.engine, app.id, 60);
      seen[name]!.exitCode = (await inspectContainer(fixture.engine, app.id))?.State.ExitCode ?? null;
      await removeContainer(fixture.engine, app.id, { force: true });
    }
    expect(seen.direct!.exitCode, "exit code after the engine's stop").toBe(143);
    // Through npm too the stop is a SIGTERM passed on, never the grace's SIGKILL.
    for (const name of ["hooked", "shelled"]) expect(seen[name]!.exitCode, `${name}: exit code after the engine's stop`).not.toBe(137);
    expect(seen.direct!.containerfile).toContain('"wisehosting-start","serve-it","--quiet"]');
    expect(seen.direct!.answer).toEqual({ event: "start", name: "direct-start", version: "2.3.4", script: "serve-it --quiet", parent: 1, hooked: false });
    // The relay shell is PID 1 and the app its child: no npm process between them (through npm, npm's script shell is the parent).
    expect(seen.hooked!.containerfile).toContain('"wisehosting-start","npm","start"]');
    expect(seen.hooked!.answer).toMatchObject({ event: "start", name: "hooked-start", hooked: true });
    expect(seen.hooked!.answer.parent).not.toBe(1);
    expect(seen.shelled!.containerfile).toContain('"wisehosting-start","npm","start"]');
    expect(seen.shelled!.answer).toMatchObject({ event: "start", name: "shell-start", script: "GREETING=hi serve-it" });
  }, 300_000);

  it("gives build steps the app's env vars as a build secret: the build sees them, the image's history, config and layers hold none", async () => {
    const values = { NEXT_PUBLIC_API_URL: `https://api-${randomBytes(8).toString("hex")}.example.test`, SESSION_SECRET: `s3cr3t-${randomBytes(12).toString("hex")}` };
    const dir = writeApp(fixture, "env-at-build", {
      "package.json": JSON.stringify({ name: "env-at-build", version: "1.0.0", scripts: { build: "node build.js", start: "node server.js" } }),
      // What a framework does with NEXT_PUBLIC_*: reads it at build time. Only a hash is written.
      "build.js": `const h = (v) => require("node:crypto").createHash("sha256").update(String(v)).digest("hex");
        require("node:fs").writeFileSync("built.json", JSON.stringify({ api: h(process.env.NEXT_PUBLIC_API_URL), secret: h(process.env.SESSION_SECRET) }));`,
      "server.js": `require("node:http").createServer((q, s) => s.end(require("node:fs").readFileSync("built.json", "utf8"))).listen(Number(process.env.PORT));`,
    });
    const { req, lines } = request(dir, { buildEnv: values });
    const result = await buildAppImage(req);
    expect(result.containerfile).toContain("--mount=type=secret,id=wh-app-env,target=/run/wisehosting/app-env");
    expect(result.containerfile).not.toMatch(/^ARG /m);

    const history = fixture.engine.name === "podman" ? execFileSync("podman", ["history", "--no-trunc", result.image], { encoding: "utf8" }) : "";
    const apiHistory = JSON.stringify(await fixture.engine.docker.getImage(result.image).history());
    const config = JSON.stringify(await fixture.engine.docker.getImage(result.image).inspect());
    const stream = await fixture.engine.docker.getImage(result.image).get();
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    // The search sees layer contents: the build's own output file is in the bytes.
    expect(bytes.includes('"api":"')).toBe(true);
    for (const value of Object.values(values)) {
      expect(history).not.toContain(value);
      expect(apiHistory).not.toContain(value);
      expect(config).not.toContain(value);
      expect(bytes.includes(value)).toBe(false);
      expect(lines.join("\n")).not.toContain(value);
      expect(result.containerfile).not.toContain(value);
    }
    if (fixture.engine.name === "podman") expect(history).toContain("/run/wisehosting/app-env");

    // The running app gets no env here: its answer is what the build saw.
    const app = await serve(result.image, req.app, result.readOnlyRootfs);
    const hash = (v: string) => createHash("sha256").update(v).digest("hex");
    expect(JSON.parse((await app.answer()).body)).toEqual({ api: hash(values.NEXT_PUBLIC_API_URL), secret: hash(values.SESSION_SECRET) });
    await removeContainer(fixture.engine, app.id, { force: true });
  }, 180_000);

  it("builds a static site with the built-in static server", async () => {
    const dir = writeApp(fixture, "static-site", {
      "index.html": "<h1>static home</h1>",
      "about/index.html": "<p>about</p>",
      "404.html": "<p>missing</p>",
    });
    const { req } = request(dir);
    const result = await buildAppImage(req);
    expect(result.kind).toBe("static");
    expect(result.containerfile).toContain("COPY .wisehosting/static-server.mjs /opt/wisehosting/static-server.mjs");

    const app = await serve(result.image, req.app, result.readOnlyRootfs);
    expect(await app.answer()).toEqual({ status: 200, body: "<h1>static home</h1>" });
    expect(await httpGet(app.hostPort, "/about/")).toEqual({ status: 200, body: "<p>about</p>" });
    expect((await httpGet(app.hostPort, "/nope")).status).toBe(404);
    await removeContainer(fixture.engine, app.id, { force: true });
  }, 180_000);

  it("serves a static site from its build output folder", async () => {
    const dir = writeApp(fixture, "static-built", {
      "package.json": JSON.stringify({ name: "s", version: "1.0.0", scripts: { build: "node make.js" } }),
      "make.js": `const fs = require("node:fs"); fs.mkdirSync("dist"); fs.writeFileSync("dist/index.html", "from dist");`,
      "index.html": "source index, not the output",
    });
    const { req } = request(dir, { settings: settings({ kind: "static" }) });
    const result = await buildAppImage(req);
    const app = await serve(result.image, req.app, result.readOnlyRootfs);
    expect((await app.answer()).body).toBe("from dist");
    await removeContainer(fixture.engine, app.id, { force: true });
  }, 180_000);

  it("builds the repository's own Dockerfile as is, from the root directory, honouring .dockerignore", async () => {
    const dir = writeApp(fixture, "own-dockerfile", {
      "service/Dockerfile": [
        `FROM ${fixture.baseImage}`,
        "WORKDIR /srv",
        "COPY . /srv",
        'RUN ["node", "-e", "require(\'fs\').writeFileSync(\'/srv/listing.txt\', require(\'fs\').readdirSync(\'/srv\').sort().join(\',\'))"]',
        "USER 4242",
        'CMD ["node", "main.js"]',
        "",
      ].join("\n"),
      "service/.dockerignore": "secret.txt\n",
      "service/secret.txt": "must not reach the image",
      "service/main.js": `require("node:http").createServer((q, s) => s.end(require("fs").readFileSync("/srv/listing.txt", "utf8") + " uid " + process.getuid())).listen(Number(process.env.PORT));`,
    });
    const { req, lines } = request(dir, { settings: settings({ rootDirectory: "service" }) });
    const result = await buildAppImage(req);
    expect(result.kind).toBe("dockerfile");
    expect(result.containerfile).toBeNull();
    expect(result.readOnlyRootfs).toBe(false);
    expect(lines).toContain("found Dockerfile: building it as is");

    const app = await serve(result.image, req.app, result.readOnlyRootfs);
    // The image's own non-root USER is kept; .dockerignore kept secret.txt out of the context.
    expect((await app.answer()).body).toBe(".dockerignore,Dockerfile,main.js uid 4242");
    await removeContainer(fixture.engine, app.id, { force: true });
  }, 180_000);

  it("reports the build output of a Dockerfile that fails to build", async () => {
    const dir = writeApp(fixture, "broken-dockerfile", {
      "Containerfile": `FROM ${fixture.baseImage}\nRUN ["node", "-e", "console.log('compiling the thing'); console.error('error TS2322: broken on purpose'); process.exit(3)"]\n`,
    });
    const { req, lines } = request(dir, { settings: settings({ kind: "dockerfile" }) });
    const error = await buildAppImage(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    const failure = error as ImageBuildError;
    expect(failure.reason).toBe("failed");
    expect(failure.message).toMatch(/the image build failed/);
    expect(failure.logTail.join("\n")).toContain("error TS2322: broken on purpose");
    expect(lines.join("\n")).toContain("compiling the thing");
    expect(await inspectImage(fixture.engine, `localhost/wisehosting/app-${req.app.appId}:${req.app.deploymentId}`)).toBeNull();
  }, 120_000);

  it("refuses a Dockerfile path outside the root directory and a Dockerfile kind without one", async () => {
    const dir = writeApp(fixture, "paths", { "index.html": "x" });
    await expect(buildAppImage(request(dir, { settings: settings({ dockerfilePath: "../Dockerfile" }) }).req)).rejects.toBeInstanceOf(SourceValidationError);
    await expect(buildAppImage(request(dir, { settings: settings({ kind: "dockerfile" }) }).req)).rejects.toThrow(/no Containerfile or Dockerfile/);
  });

  it("stops a build that runs past its timeout", async () => {
    const marker = `wh-build-timeout-${process.pid}-${Date.now()}`;
    const dir = writeApp(fixture, "slow-build", {
      "Dockerfile": `FROM ${fixture.baseImage}\nRUN ["node", "-e", "console.log('${marker} started'); setTimeout(() => {}, 600000)", "${marker}"]\n`,
    });
    const { req, lines } = request(dir, { timeoutMs: 15_000 });
    const started = Date.now();
    const error = (await buildAppImage(req).catch((e: unknown) => e)) as ImageBuildError;
    expect(error).toBeInstanceOf(ImageBuildError);
    expect(error.reason).toBe("timeout");
    // The timeout, plus at most the grace period for the engine to end the build.
    expect(Date.now() - started).toBeLessThan(15_000 + 15_000 + 5_000);
    expect(lines.join("\n")).toContain(`${marker} started`);
    // The step's process is gone, and the engine removed the build's working container.
    await eventually(() => !execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(marker), 60_000, "the build step to be killed");
    if (fixture.engine.name === "podman") {
      const leftovers = await eventually(async () => {
        const all = z
          .array(z.object({ Id: z.string(), Created: z.string(), State: z.string() }))
          .parse(await engineCall(fixture.engine.docker, { path: "/v4.0.0/libpod/containers/json?", method: "GET", options: { all: true, external: true } }));
        const mine = all.filter((c) => Date.parse(c.Created) >= started - 1_000);
        return mine.length === 0 ? [] : null;
      }, 60_000, "the working container to be removed");
      expect(leftovers).toEqual([]);
    }
  }, 180_000);

  it("keeps an app's newest images for rollback and prunes the older ones", async () => {
    const dir = writeApp(fixture, "tiny", { "Dockerfile": `FROM ${fixture.baseImage}\nCMD ["node", "-e", "setInterval(() => {}, 1000)"]\n` });
    const app = nextApp(fixture);
    const images: string[] = [];
    for (let d = 1; d <= 4; d++) {
      const { req } = request(dir, { app: { ...app, deploymentId: 1000 + d } });
      images.push((await buildAppImage(req)).image);
    }
    const removed = await pruneAppImages(fixture.engine, { workerName: fixture.workerName, appId: app.appId }, 2, [images[0]!]);
    expect(removed).toHaveLength(1);
    const left = (await listAppImages(fixture.engine, { workerName: fixture.workerName, appId: app.appId })).flatMap((i) => i.RepoTags);
    // The two newest stay, the oldest too because it is in use; the second oldest went.
    expect(left).toEqual([images[3], images[2], images[0]]);
  }, 180_000);

  it("enforces the plan's memory on build steps", async () => {
    const dir = writeApp(fixture, "hungry-build", {
      "Dockerfile": `FROM ${fixture.baseImage}\nRUN ["node", "-e", "const a = []; for (let i = 0; i < 400; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('allocated 400 MiB')"]\n`,
    });
    const { req, lines } = request(dir, { limits: { cpu: 1, memoryMb: 96 } });
    const error = (await buildAppImage(req).catch((e: unknown) => e)) as ImageBuildError;
    expect(error).toBeInstanceOf(ImageBuildError);
    // The step echo contains the words too: only a line of the step's own output would be exactly this.
    expect(lines).not.toContain("allocated 400 MiB");
    expect(error.logTail.join("\n")).toMatch(/killed/);
  }, 120_000);
});
