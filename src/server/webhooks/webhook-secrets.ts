import type { z } from "zod";
import type { Actor } from "../auth/actor";
import { cipherContext } from "../crypto/secret-cipher";
import { notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { webhookIdSchema } from "./webhook-input";
import { generateWebhookSecret } from "./webhook-signature";

type Deps = Pick<Services, "db" | "cipher">;
type WebhookRef = z.infer<typeof webhookIdSchema>;

/** The endpoint's signing secret in clear, for the receiver's configuration. */
export async function revealWebhookSecret(deps: Deps, { userId }: Pick<Actor, "userId">, { id }: WebhookRef): Promise<string> {
  const hook = await deps.db.webhook.findFirst({ where: { id, userId }, select: { secret: true } });
  if (!hook) throw notFound("Webhook");
  // A decryption failure throws: never hand out something that is not the real secret.
  return deps.cipher.decrypt(hook.secret, cipherContext.webhookSecret(userId));
}

/** Replaces the signing secret; deliveries from now on are signed with the new one. */
export async function rotateWebhookSecret(deps: Deps, { userId }: Pick<Actor, "userId">, { id }: WebhookRef): Promise<string> {
  const secret = generateWebhookSecret();
  const { count } = await deps.db.webhook.updateMany({ where: { id, userId }, data: { secret: deps.cipher.encrypt(secret, cipherContext.webhookSecret(userId)) } });
  if (count === 0) throw notFound("Webhook");
  return secret;
}
