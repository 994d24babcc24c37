import { z } from "zod";
import type { Engine } from "./engine";
import { engineCall, engineStatus } from "./engine-request";
import { imageLabelFilter, inScope, LABELS, type LabelScope } from "./labels";

/** GET /images/{name}/json: what the agent reads of an image. */
const imageInspectSchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish().transform((t) => t ?? []),
  Size: z.number().optional(),
  Config: z
    .object({
      User: z.string().nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
    })
    .nullish(),
});
export type ImageInfo = z.infer<typeof imageInspectSchema>;

const imageListSchema = z.array(
  z.object({
    Id: z.string(),
    RepoTags: z.array(z.string()).nullish().transform((t) => t ?? []),
    Created: z.number(),
    Size: z.number(),
    Labels: z.record(z.string(), z.string()).nullish().transform((l) => l ?? {}),
  }),
);
export type ImageSummary = z.infer<typeof imageListSchema>[number];

/**
 * An image reference as it goes into a URL path. The engines route `/images/{name:.*}/json`
 * without decoding %2F, so slashes stay as they are; anything outside the reference grammar is refused.
 */
function imageRef(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/.test(name)) throw new Error(`invalid image reference ${JSON.stringify(name)}`);
  return name;
}

/** The image's inspect data, or null when the engine has no image of that name. */
export async function inspectImage(engine: Engine, name: string): Promise<ImageInfo | null> {
  try {
    const raw = await engineCall(engine.docker, { path: `/images/${imageRef(name)}/json`, method: "GET", timeoutMs: 15_000 });
    return imageInspectSchema.parse(raw);
  } catch (err) {
    if (engineStatus(err) === 404) return null;
    throw err;
  }
}

export async function imageExists(engine: Engine, name: string): Promise<boolean> {
  return (await inspectImage(engine, name)) !== null;
}

/** The images the agent built for one app (or all apps of a worker), newest deployment first. */
export async function listAppImages(engine: Engine, scope: LabelScope): Promise<ImageSummary[]> {
  const filters = JSON.stringify({ label: imageLabelFilter(scope) });
  const raw = await listImagesOnce(engine, filters);
  return imageListSchema
    .parse(raw)
    .filter((i) => inScope(i.Labels, scope) && i.Labels[LABELS.role] === "app")
    .sort((a, b) => deploymentOf(b) - deploymentOf(a) || b.Created - a.Created);
}

/**
 * Podman 4.3 answers a listing 500 "image not known" when an image is removed while it lists
 * (a prune of another app beside it): the listing is asked again, a few times, after a short pause.
 */
async function listImagesOnce(engine: Engine, filters: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await engineCall(engine.docker, { path: "/images/json?", method: "GET", options: { filters }, timeoutMs: 30_000 });
    } catch (err) {
      if (attempt >= 5 || !/image not known/.test((err as Error).message)) throw err;
      // A removal of several images (a worker's cleanup) takes a moment: give it one before asking again.
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Deployment ids only grow, so they order an app's images even when two were built in the same second. */
function deploymentOf(image: ImageSummary): number {
  return Number(image.Labels[LABELS.deploymentId]) || 0;
}

/**
 * Keeps the newest `keep` images of one app (the rollback targets) and removes older ones,
 * except images in `inUse` (ids or tags, e.g. what a container still runs). Returns the removed ids.
 */
export async function pruneAppImages(engine: Engine, scope: LabelScope & { appId: number }, keep: number, inUse: string[] = []): Promise<string[]> {
  const protectedRefs = new Set(inUse);
  const removed: string[] = [];
  for (const image of (await listAppImages(engine, scope)).slice(Math.max(0, keep))) {
    if (protectedRefs.has(image.Id) || image.RepoTags.some((t) => protectedRefs.has(t))) continue;
    try {
      await removeImage(engine, image.Id);
      removed.push(image.Id);
    } catch (err) {
      // 409: a container (maybe one the agent does not track) still uses it; keep it for now.
      if (engineStatus(err) !== 409) throw err;
    }
  }
  return removed;
}

/** Removes an image (by id or tag); an image already gone is not an error. */
export async function removeImage(engine: Engine, name: string, force = false): Promise<void> {
  try {
    await engineCall(engine.docker, { path: `/images/${imageRef(name)}?`, method: "DELETE", options: { force }, timeoutMs: 60_000 });
  } catch (err) {
    if (engineStatus(err) !== 404) throw err;
  }
}

/**
 * The Node version an image runs, from its NODE_VERSION variable (the official node images and
 * the local base image, base-image.ts, set it); undefined when the image is missing or says nothing.
 */
export async function imageNodeVersion(engine: Engine, name: string): Promise<string | undefined> {
  const info = await inspectImage(engine, name).catch(() => null);
  const entry = info?.Config?.Env?.find((e) => e.startsWith("NODE_VERSION="));
  const version = entry?.slice("NODE_VERSION=".length).replace(/^v/, "");
  return version && /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
}
