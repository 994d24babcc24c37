import type Dockerode from "dockerode";
import { z } from "zod";
import { appContainerOptions, type AppContainerSpec } from "./container-spec";
import type { Engine } from "./engine";
import { engineCall, engineStatus } from "./engine-request";
import { inspectImage } from "./images";
import { inScope, labelFilter, parseAppLabels, type AppRef, type LabelScope } from "./labels";

export class ContainerError extends Error {
  override name = "ContainerError";
}

/** Container ids and names go into URL paths: only the characters engines use. */
function containerRef(idOrName: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(idOrName)) throw new ContainerError(`invalid container reference ${JSON.stringify(idOrName)}`);
  return idOrName;
}

const createdSchema = z.object({ Id: z.string(), Warnings: z.array(z.string()).nullish() });

/** POST /containers/create of a request built elsewhere (container-spec.ts, network-holder.ts); not started. */
export async function createContainer(engine: Engine, options: Dockerode.ContainerCreateOptions): Promise<{ id: string; name: string; warnings: string[] }> {
  const { name, ...body } = options;
  const raw = await engineCall(engine.docker, {
    path: "/containers/create?",
    method: "POST",
    options: { _query: { name }, _body: body },
    statusCodes: { 200: true, 201: true, 404: "no such image", 409: "a container of that name exists" },
    timeoutMs: 60_000,
  });
  const created = createdSchema.parse(raw);
  return { id: created.Id, name: name ?? created.Id, warnings: created.Warnings ?? [] };
}

/** Creates and starts; a container that cannot start is removed again, so none is left behind. */
export async function runContainer(engine: Engine, options: Dockerode.ContainerCreateOptions): Promise<{ id: string; name: string }> {
  const created = await createContainer(engine, options);
  try {
    await startContainer(engine, created.id);
  } catch (err) {
    await removeContainer(engine, created.id, { force: true }).catch(() => {});
    throw err;
  }
  return created;
}

/**
 * The create request of an app container (container-spec.ts). The image's USER is read first
 * when the spec does not say it, so an image that names a non-root user keeps it; root or none
 * becomes the fixed uid.
 */
async function appCreateOptions(engine: Engine, spec: AppContainerSpec): Promise<Dockerode.ContainerCreateOptions> {
  let imageUser = spec.imageUser;
  if (imageUser === undefined) {
    const image = await inspectImage(engine, spec.image);
    if (!image) throw new ContainerError(`image ${spec.image} is not on this worker`);
    imageUser = image.Config?.User ?? null;
  }
  return appContainerOptions({ ...spec, imageUser });
}

/** Creates one app container without starting it. */
export async function createAppContainer(engine: Engine, spec: AppContainerSpec): Promise<{ id: string; name: string; warnings: string[] }> {
  return createContainer(engine, await appCreateOptions(engine, spec));
}

export async function startContainer(engine: Engine, id: string): Promise<void> {
  await engineCall(engine.docker, {
    path: `/containers/${containerRef(id)}/start`,
    method: "POST",
    // 304: already running.
    statusCodes: { 204: true, 304: true, 404: "no such container" },
    timeoutMs: 60_000,
  });
}

/** Creates and starts an app container (runContainer). */
export async function runAppContainer(engine: Engine, spec: AppContainerSpec): Promise<{ id: string; name: string }> {
  return runContainer(engine, await appCreateOptions(engine, spec));
}

/** SIGTERM (the container's StopSignal), `graceSeconds` to exit, then SIGKILL. Stopped or gone already is fine. */
export async function stopContainer(engine: Engine, id: string, graceSeconds = 10): Promise<void> {
  try {
    await engineCall(engine.docker, {
      path: `/containers/${containerRef(id)}/stop?`,
      method: "POST",
      options: { t: graceSeconds },
      statusCodes: { 204: true, 304: true, 404: "no such container" },
      timeoutMs: (graceSeconds + 30) * 1000,
    });
  } catch (err) {
    if (engineStatus(err) !== 404) throw err;
  }
}

/**
 * Removes a container; one already gone is fine. `force` kills a running one first with SIGKILL:
 * Podman's forced removal would otherwise send the stop signal and wait out the stop timeout.
 */
export async function removeContainer(engine: Engine, id: string, options: { force?: boolean } = {}): Promise<void> {
  if (options.force) {
    await engineCall(engine.docker, {
      path: `/containers/${containerRef(id)}/kill?`,
      method: "POST",
      options: { signal: "SIGKILL" },
      statusCodes: { 204: true, 304: true, 404: "no such container", 409: "container is not running" },
      timeoutMs: 30_000,
    }).catch(() => {});
  }
  try {
    await engineCall(engine.docker, {
      path: `/containers/${containerRef(id)}?`,
      method: "DELETE",
      options: { force: options.force ?? false, v: true },
      statusCodes: { 200: true, 204: true, 404: "no such container", 409: "conflict" },
      timeoutMs: 60_000,
    });
  } catch (err) {
    if (engineStatus(err) !== 404) throw err;
  }
}

const listSchema = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullish().transform((n) => n ?? []),
    Image: z.string(),
    State: z.string(),
    Status: z.string().optional(),
    Created: z.number(),
    Labels: z.record(z.string(), z.string()).nullish().transform((l) => l ?? {}),
  }),
);

export interface AppContainerSummary extends AppRef {
  id: string;
  name: string;
  image: string;
  /** created, running, exited, … as the engine says. */
  state: string;
  created: number;
}

/** The worker's app containers (running and stopped), by label, newest first. */
export async function listAppContainers(engine: Engine, scope: LabelScope): Promise<AppContainerSummary[]> {
  const raw = await engineCall(engine.docker, {
    path: "/containers/json?",
    method: "GET",
    options: { all: true, filters: JSON.stringify({ label: labelFilter(scope) }) },
    timeoutMs: 30_000,
  });
  const out: AppContainerSummary[] = [];
  for (const c of listSchema.parse(raw)) {
    const ref = parseAppLabels(c.Labels);
    if (!ref || !inScope(c.Labels, scope)) continue;
    out.push({ ...ref, id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ""), image: c.Image, state: c.State, created: c.Created });
  }
  return out.sort((a, b) => b.created - a.created);
}

const inspectSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Image: z.string(),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    OOMKilled: z.boolean().optional().default(false),
    ExitCode: z.number(),
    Pid: z.number().optional(),
    Error: z.string().optional(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
  }),
  RestartCount: z.number().optional(),
  SizeRw: z.number().nullish(),
  SizeRootFs: z.number().nullish(),
  Config: z.object({
    User: z.string().nullish(),
    Image: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
  HostConfig: z
    .object({
      Memory: z.number().optional(),
      MemorySwap: z.number().optional(),
      NanoCpus: z.number().optional(),
      CpuQuota: z.number().optional(),
      CpuPeriod: z.number().optional(),
      PidsLimit: z.number().nullish(),
      ReadonlyRootfs: z.boolean().optional(),
      CapDrop: z.array(z.string()).nullish(),
      CapAdd: z.array(z.string()).nullish(),
      SecurityOpt: z.array(z.string()).nullish(),
      Privileged: z.boolean().optional(),
      Binds: z.array(z.string()).nullish(),
      Ulimits: z.array(z.object({ Name: z.string(), Soft: z.number(), Hard: z.number() })).nullish(),
      PortBindings: z.record(z.string(), z.array(z.object({ HostIp: z.string().optional(), HostPort: z.string() })).nullish()).nullish(),
    })
    .passthrough(),
  Mounts: z.array(z.object({ Type: z.string().optional(), Source: z.string().optional(), Destination: z.string() }).passthrough()).nullish(),
});
export type ContainerInspect = z.infer<typeof inspectSchema>;

/**
 * Inspects a container; `size` adds SizeRw (bytes written to its writable layer, what the plan's
 * disk limit is checked against) at the cost of the engine walking that layer. Null when gone.
 */
export async function inspectContainer(engine: Engine, id: string, options: { size?: boolean } = {}): Promise<ContainerInspect | null> {
  try {
    const raw = await engineCall(engine.docker, {
      path: `/containers/${containerRef(id)}/json?`,
      method: "GET",
      options: { size: options.size ?? false },
      statusCodes: { 200: true, 404: "no such container" },
      timeoutMs: 60_000,
    });
    return inspectSchema.parse(raw);
  } catch (err) {
    if (engineStatus(err) === 404) return null;
    throw err;
  }
}
