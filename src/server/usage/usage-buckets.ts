/** Usage samples are 5-minute buckets; ticks are one minute apart. */
export const BUCKET_MS = 5 * 60_000;
export const TICK_MS = 60_000;
/** Samples older than this are pruned. */
export const USAGE_RETENTION_DAYS = 90;

/** UTC-truncates to the 5-minute bucket. */
export function bucketStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / BUCKET_MS) * BUCKET_MS);
}

/** The one-minute tick slot a sample belongs to; a tick that fires twice in a slot folds once. */
export function tickSlot(at: Date): Date {
  return new Date(Math.floor(at.getTime() / TICK_MS) * TICK_MS);
}
