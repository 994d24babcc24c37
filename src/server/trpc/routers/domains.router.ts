import { z } from "zod";
import { createDomain, deleteDomain, getDomain, listDomains, verifyDomain } from "../../domains/domains.service";
import { protectedProcedure, router } from "../trpc";
import { actorFromContext } from "./actor-from-context";

const domainId = z.object({ domainId: z.number().int().positive() });

export const domainsRouter = router({
  list: protectedProcedure
    .input(z.object({ appId: z.number().int().positive().optional() }).optional())
    .query(({ ctx, input }) => listDomains(ctx.services, actorFromContext(ctx), input?.appId)),
  get: protectedProcedure.input(domainId).query(({ ctx, input }) => getDomain(ctx.services, actorFromContext(ctx), input.domainId)),
  create: protectedProcedure
    .input(z.object({ appId: z.number().int().positive(), hostname: z.string().max(1000) }))
    .mutation(({ ctx, input }) => createDomain(ctx.services, actorFromContext(ctx), input.appId, input.hostname)),
  verify: protectedProcedure.input(domainId).mutation(({ ctx, input }) => verifyDomain(ctx.services, actorFromContext(ctx), input.domainId)),
  delete: protectedProcedure.input(domainId).mutation(({ ctx, input }) => deleteDomain(ctx.services, actorFromContext(ctx), input.domainId)),
});
