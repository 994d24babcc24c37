import type { z } from "zod";
import type { Actor } from "../auth/actor";
import { cipherContext } from "../crypto/secret-cipher";
import { DomainError, notFound, validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { detectChannel } from "./webhook-channels";
import {
  createWebhookSchema,
  MAX_WEBHOOKS_PER_USER,
  updateWebhookSchema,
  type CreateWebhookInput,
  type UpdateWebhookInput,
  type webhookIdSchema,
} from "./webhook-input";
import { generateWebhookSecret } from "./webhook-signature";
import { SsrfBlockedError, validateWebhookUrl } from "./ssrf-guard";
import { teamWhere } from "../teams/team-scope";

type Deps = Pick<Services, "db" | "cipher" | "config">;
type Caller = Pick<Actor, "userId" | "team">;

/** Columns the dashboard sees; the secret only through reveal. */
const PUBLIC_FIELDS = {
  id: true, name: true, url: true, channel: true, events: true, active: true, disabledReason: true,
  totalDeliveries: true, failedDeliveries: true, lastDeliveryAt: true, lastStatus: true, createdAt: true,
} as const;

/** The URL a user enters must be a public address (WEBHOOK_ALLOW_CIDRS aside), checked before it is stored. */
async function checkedUrl(deps: Pick<Services, "config">, raw: string): Promise<URL> {
  try {
    return await validateWebhookUrl(raw, { allowCidrs: deps.config.WEBHOOK_ALLOW_CIDRS });
  } catch (err) {
    // A loopback or private receiver is refused on purpose; say which setting lets an operator allow it.
    const hint =
      err instanceof SsrfBlockedError
        ? " Webhooks go to public addresses only; an operator can allow a private or loopback range with WEBHOOK_ALLOW_CIDRS (for example 127.0.0.1/32 for a receiver on this machine)."
        : "";
    throw validation(`${(err as Error).message}${hint}`, { field: "url" });
  }
}

export async function listWebhooks(deps: Pick<Services, "db">, actor: Caller) {
  return deps.db.webhook.findMany({ where: teamWhere(actor), select: PUBLIC_FIELDS, orderBy: { createdAt: "asc" } });
}

/** Creates an endpoint of the team with a fresh `whsec_` secret (stored encrypted, bound to its creator). */
export async function createWebhook(deps: Deps, actor: Caller, raw: CreateWebhookInput) {
  const { userId } = actor;
  const input = createWebhookSchema.parse(raw);
  const url = await checkedUrl(deps, input.url);
  if ((await deps.db.webhook.count({ where: teamWhere(actor) })) >= MAX_WEBHOOKS_PER_USER) {
    throw new DomainError("LIMIT_REACHED", `You can have up to ${MAX_WEBHOOKS_PER_USER} webhooks. Delete one you no longer use first.`);
  }
  const secret = generateWebhookSecret();
  return deps.db.webhook.create({
    data: {
      userId,
      teamId: actor.team.id,
      name: input.name || url.hostname,
      url: url.toString(),
      channel: input.channel ?? detectChannel(url),
      events: [...new Set(input.events)],
      secret: deps.cipher.encrypt(secret, cipherContext.webhookSecret(userId)),
    },
    select: PUBLIC_FIELDS,
  });
}

export async function updateWebhook(deps: Deps, actor: Caller, raw: UpdateWebhookInput) {
  const input = updateWebhookSchema.parse(raw);
  const existing = await deps.db.webhook.findFirst({ where: { id: input.id, ...teamWhere(actor) }, select: { id: true } });
  if (!existing) throw notFound("Webhook");
  const url = input.url !== undefined ? (await checkedUrl(deps, input.url)).toString() : undefined;
  const reenabled = input.active === true;
  return deps.db.webhook.update({
    where: { id: existing.id },
    data: {
      name: input.name,
      url,
      channel: input.channel,
      events: input.events ? [...new Set(input.events)] : undefined,
      active: input.active,
      ...(reenabled ? { disabledReason: null } : {}),
      ...(input.active === false ? { disabledReason: "Paused by you." } : {}),
    },
    select: PUBLIC_FIELDS,
  });
}

export async function deleteWebhook(deps: Pick<Services, "db">, actor: Caller, { id }: z.infer<typeof webhookIdSchema>): Promise<void> {
  const { count } = await deps.db.webhook.deleteMany({ where: { id, ...teamWhere(actor) } });
  if (count === 0) throw notFound("Webhook");
}
