import {
  createDomain,
  createDomainInput,
  deleteDomain,
  domainIdInput,
  getDomain,
  listDomains,
  listDomainsInput,
  verifyDomain,
} from "../../domains/domains.service";
import { protectedProcedure, router } from "../trpc";

export const domainsRouter = router({
  list: protectedProcedure.input(listDomainsInput).query(({ ctx, input }) => listDomains(ctx.services, ctx.actor, input)),
  get: protectedProcedure.input(domainIdInput).query(({ ctx, input }) => getDomain(ctx.services, ctx.actor, input)),
  create: protectedProcedure.input(createDomainInput).mutation(({ ctx, input }) => createDomain(ctx.services, ctx.actor, input)),
  verify: protectedProcedure.input(domainIdInput).mutation(({ ctx, input }) => verifyDomain(ctx.services, ctx.actor, input)),
  delete: protectedProcedure.input(domainIdInput).mutation(({ ctx, input }) => deleteDomain(ctx.services, ctx.actor, input)),
});
