import { readPlatformStatus } from "../../status/platform-status";
import { publicProcedure, router } from "../trpc";

export const statusRouter = router({
  /** Database, jobs process, ws-hub and worker counts. */
  overview: publicProcedure.query(({ ctx }) => {
    const hubUrl = process.env.HUB_INTERNAL_URL ?? `http://127.0.0.1:${ctx.services.config.HUB_PORT}`;
    return readPlatformStatus(ctx.services, hubUrl);
  }),
});
