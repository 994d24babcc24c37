import { readPlatformStatus } from "../../status/platform-status";
import { publicProcedure, router } from "../trpc";

export const statusRouter = router({
  /** Database, jobs process, ws-hub and worker counts. */
  overview: publicProcedure.query(({ ctx }) => readPlatformStatus(ctx.services)),
});
