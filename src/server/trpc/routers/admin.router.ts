import { fleetOverview } from "../../status/fleet-overview";
import { adminProcedure, router } from "../trpc";

export const adminRouter = router({
  /** Every worker with load and heartbeat, plus the fleet aggregate. */
  workers: adminProcedure.query(({ ctx }) => fleetOverview(ctx.services)),
});
