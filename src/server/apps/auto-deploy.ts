import { randomBytes } from "node:crypto";
import { cipherContext } from "../crypto/secret-cipher";
import type { Services } from "../runtime/services";
import { z } from "zod";
import type { Actor } from "../auth/actor";
import { appIdInput, lockOwnedApp, requireOwnedApp, type AppRef, type Tx } from "./app-access";

type Deps = Pick<Services, "db" | "cipher" | "config">;
type Caller = Pick<Actor, "userId">;

export const setAutoDeployInput = appIdInput.extend({ enabled: z.boolean() });

export function pushWebhookUrl(publicUrl: string, webhookId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/api/webhooks/git/${webhookId}`;
}

function newWebhookId(): string {
  return randomBytes(18).toString("base64url");
}

function newWebhookSecret(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Turning auto-deploy on the first time creates the per-app endpoint id and secret; turning it
 * off keeps them, so re-enabling does not force the user to reconfigure the provider.
 */
export async function setAutoDeploy(services: Deps, actor: Caller, { appId, enabled }: z.infer<typeof setAutoDeployInput>) {
  await services.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor.userId, appId);
    const needsSecret = enabled && (!app.webhookId || !app.webhookSecret);
    await tx.app.update({
      where: { id: app.id },
      data: {
        autoDeploy: enabled,
        ...(needsSecret
          ? { webhookId: newWebhookId(), webhookSecret: services.cipher.encrypt(newWebhookSecret(), cipherContext.appWebhookSecret(app.id)) }
          : {}),
      },
    });
  });
  return getAutoDeploy(services, actor, { appId });
}

/** A new secret; the endpoint URL stays. Deliveries signed with the old secret are refused from now on. */
export async function rotateWebhookSecret(services: Deps, actor: Caller, { appId }: AppRef) {
  await services.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor.userId, appId);
    await tx.app.update({
      where: { id: app.id },
      data: {
        webhookId: app.webhookId ?? newWebhookId(),
        webhookSecret: services.cipher.encrypt(newWebhookSecret(), cipherContext.appWebhookSecret(app.id)),
      },
    });
  });
  return getAutoDeploy(services, actor, { appId });
}

export async function getAutoDeploy(services: Deps, actor: Caller, { appId }: AppRef) {
  const app = await requireOwnedApp(services.db, actor.userId, appId);
  const secret = app.webhookSecret ? services.cipher.decrypt(app.webhookSecret, cipherContext.appWebhookSecret(app.id)) : null;
  return {
    enabled: app.autoDeploy,
    branch: app.branch,
    url: app.webhookId ? pushWebhookUrl(services.config.PUBLIC_URL, app.webhookId) : null,
    secret,
  };
}
