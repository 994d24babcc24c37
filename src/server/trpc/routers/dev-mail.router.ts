import { caughtMailIdInput, getCaughtMail, listCaughtMail } from "../../mail/caught-mail-service";
import { protectedProcedure, router } from "../trpc";

/**
 * The development mail catcher's inbox: a user sees mail sent to their own address, an
 * administrator every message. Outside an explicit development or test mode every call is "not found".
 */
export const devMailRouter = router({
  list: protectedProcedure.query(({ ctx }) => listCaughtMail(ctx.services, ctx.actor)),
  get: protectedProcedure.input(caughtMailIdInput).query(({ ctx, input }) => getCaughtMail(ctx.services, ctx.actor, input)),
});
