import { z } from "zod";
import { ApiError } from "../api-errors";
import type { ApiCaller } from "../api-route";
import { defineRoute } from "../api-route";
import { appParam, resolveAppId } from "../app-ref";
import { iso } from "../schemas";

type Listed = Awaited<ReturnType<ApiCaller["domains"]["list"]>>[number];

const domainSchema = z
  .object({
    id: z.number().int(),
    hostname: z.string(),
    status: z.string(),
    verifiedAt: z.iso.datetime().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    records: z.array(z.object({ type: z.string(), name: z.string(), value: z.string() }).loose()).meta({ description: "The DNS records to create" }),
  })
  .meta({ id: "Domain" });

const toDomain = (d: Listed) =>
  domainSchema.parse({ id: d.id, hostname: d.hostname, status: d.status, verifiedAt: iso(d.verifiedAt), lastError: d.lastError, createdAt: iso(d.createdAt), records: d.records });

const list = defineRoute({
  method: "GET",
  path: "/apps/{app}/domains",
  operationId: "listDomains",
  summary: "The app's custom domains and the DNS records each needs",
  tag: "Domains",
  procedures: ["domains.list"],
  params: appParam,
  response: z.object({ domains: z.array(domainSchema) }),
  async handle({ caller, services, token }, { params }) {
    return { domains: (await caller.domains.list({ appId: await resolveAppId(services, token.actor, params.app) })).map(toDomain) };
  },
});

const add = defineRoute({
  method: "POST",
  path: "/apps/{app}/domains",
  operationId: "addDomain",
  summary: "Add a custom domain; create the DNS records it lists, then it is verified",
  tag: "Domains",
  procedures: ["domains.create"],
  params: appParam,
  body: z.object({ host: z.string().min(1).max(253).meta({ description: "The host name, without https:// or a path", example: "shop.example.com" }) }),
  response: z.object({ domain: domainSchema }),
  async handle({ caller, services, token }, { params, body }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    return { domain: toDomain(await caller.domains.create({ appId, hostname: body.host })) };
  },
});

const remove = defineRoute({
  method: "DELETE",
  path: "/apps/{app}/domains/{host}",
  operationId: "removeDomain",
  summary: "Remove a custom domain",
  tag: "Domains",
  procedures: ["domains.delete", "domains.list"],
  params: appParam.extend({ host: z.string().min(1).max(253) }),
  response: z.object({ ok: z.literal(true) }),
  async handle({ caller, services, token }, { params }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    const domain = (await caller.domains.list({ appId })).find((d) => d.hostname === params.host.toLowerCase());
    if (!domain) throw new ApiError("NOT_FOUND", `The app has no domain ${params.host}. List them with GET /api/v1/apps/${params.app}/domains.`);
    await caller.domains.delete({ domainId: domain.id });
    return { ok: true as const };
  },
});

export const domainsRoutes = [list, add, remove];
