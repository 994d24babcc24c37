import type { BusMessage } from "../bus/channels";

/** One app's latest live figures, as shared on the "stats.snapshot" channel. */
export type LiveAppStats = BusMessage<"stats.snapshot">["apps"][number];

/** Snapshots older than this are not live any more. */
export const LIVE_STATS_TTL_MS = 45_000;
