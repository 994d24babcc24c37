import { z } from "zod";
import { getCaughtMail, listCaughtMail } from "../../mail/caught-mail-service";
import { protectedProcedure, router } from "../trpc";

/**
 * The development mail catcher's inbox, for any signed-in user of a development install (mail of
 * every account lands in one catcher). In production every call is "not found".
 */
export const devMailRouter = router({
  list: protectedProcedure.query(({ ctx }) => listCaughtMail(ctx.services.db, ctx.services.config)),
  get: protectedProcedure.input(z.object({ id: z.number().int().positive() })).query(({ ctx, input }) => getCaughtMail(ctx.services.db, ctx.services.config, input.id)),
});
