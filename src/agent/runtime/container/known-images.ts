/** What a deploy needs to know of an app image to start it without building. */
export interface ImageFacts {
  image: string;
  imageId: string;
  readOnlyRootfs: boolean;
  sizeBytes: number | null;
  /** The image's USER, or null (container-spec.ts containerUser). */
  imageUser: string | null;
}

/**
 * The app images this run of the container runtime built or inspected, by tag, so a rollback to
 * one starts its container without first asking the engine about the image (an image inspect is
 * ~15 ms on Podman, a tenth of a rollback). Images the runtime removes are forgotten; one removed
 * behind its back shows when the container create answers that the image is missing, and the
 * deploy then forgets it and builds the commit (container-runtime.ts deploy).
 */
export class KnownImages {
  private readonly byTag = new Map<string, ImageFacts>();

  get(tag: string): ImageFacts | null {
    return this.byTag.get(tag) ?? null;
  }

  remember(facts: ImageFacts): void {
    this.byTag.set(facts.image, facts);
  }

  forget(tag: string): void {
    this.byTag.delete(tag);
  }

  /** Forgets every tag of the removed images. */
  forgetIds(ids: Iterable<string>): void {
    const gone = new Set(ids);
    for (const [tag, facts] of this.byTag) if (gone.has(facts.imageId)) this.byTag.delete(tag);
  }
}
