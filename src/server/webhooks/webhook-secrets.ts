import type { z } from "zod";
import type { Actor } from "../auth/actor";
import { cipherContext } from "../crypto/secret-cipher";
import { notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { webhookIdSchema } from "./webhook-input";
import { generateWebhookSecret } from "./webhook-signature";
import { teamWhere } from "../teams/team-scope";

type Deps = Pick<Services, "db" | "cipher">;
type WebhookRef = z.infer<typeof webhookIdSchema>;

/** The endpoint's signing secret in clear, for the receiver's configuration. */
export async function revealWebhookSecret(deps: Deps, actor: Pick<Actor, "userId" | "team">, { id }: WebhookRef): Promise<string> {
  const hook = await deps.db.webhook.findFirst({ where: { id, ...teamWhere(actor) }, select: { secret: true, userId: true } });
  if (!hook) throw notFound("Webhook");
  // A decryption failure throws: never hand out something that is not the real secret. The
  // secret is bound to the member who created the endpoint.
  return deps.cipher.decrypt(hook.secret, cipherContext.webhookSecret(hook.userId));
}

/** Replaces the signing secret; deliveries from now on are signed with the new one. */
export async function rotateWebhookSecret(deps: Deps, actor: Pick<Actor, "userId" | "team">, { id }: WebhookRef): Promise<string> {
  const secret = generateWebhookSecret();
  const hook = await deps.db.webhook.findFirst({ where: { id, ...teamWhere(actor) }, select: { id: true, userId: true } });
  if (!hook) throw notFound("Webhook");
  await deps.db.webhook.update({ where: { id: hook.id }, data: { secret: deps.cipher.encrypt(secret, cipherContext.webhookSecret(hook.userId)) } });
  return secret;
}
