import { caughtMailIdInput, getCaughtMail, listCaughtMail } from "../../mail/caught-mail-service";
import { protectedProcedure, router } from "../trpc";

/**
 * The development mail catcher's inbox, for any signed-in user of a development install (mail of
 * every account lands in one catcher). In production every call is "not found".
 */
export const devMailRouter = router({
  list: protectedProcedure.query(({ ctx }) => listCaughtMail(ctx.services)),
  get: protectedProcedure.input(caughtMailIdInput).query(({ ctx, input }) => getCaughtMail(ctx.services, input)),
});
