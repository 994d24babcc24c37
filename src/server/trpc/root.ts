import { router } from "./trpc";
import { statusRouter } from "./routers/status.router";

/** Every router the dashboard uses. Add one line per router. */
export const appRouter = router({
  status: statusRouter,
});

export type AppRouter = typeof appRouter;
