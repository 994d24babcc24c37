import { randomBytes } from "node:crypto";
import { z } from "zod";
import { cipherContext } from "../crypto/secret-cipher";
import type { Services } from "../runtime/services";
import type { Actor } from "../auth/actor";
import { appIdInput, lockOwnedApp, requireOwnedApp, type AppRef, type Tx } from "./app-access";

type Deps = Pick<Services, "db" | "cipher" | "config">;
type Caller = Pick<Actor, "userId" | "team">;

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
export async function setAutoDeploy(deps: Deps, actor: Caller, { appId, enabled }: z.infer<typeof setAutoDeployInput>) {
  await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor, appId);
    const needsSecret = enabled && (!app.webhookId || !app.webhookSecret);
    await tx.app.update({
      where: { id: app.id },
      data: {
        autoDeploy: enabled,
        ...(needsSecret
          ? { webhookId: newWebhookId(), webhookSecret: deps.cipher.encrypt(newWebhookSecret(), cipherContext.appWebhookSecret(app.id)) }
          : {}),
      },
    });
  });
  return getAutoDeploy(deps, actor, { appId });
}

/** A new secret; the endpoint URL stays. Deliveries signed with the old secret are refused from now on. */
export async function rotateWebhookSecret(deps: Deps, actor: Caller, { appId }: AppRef) {
  await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor, appId);
    await tx.app.update({
      where: { id: app.id },
      data: {
        webhookId: app.webhookId ?? newWebhookId(),
        webhookSecret: deps.cipher.encrypt(newWebhookSecret(), cipherContext.appWebhookSecret(app.id)),
      },
    });
  });
  return getAutoDeploy(deps, actor, { appId });
}

export async function getAutoDeploy(deps: Deps, actor: Caller, { appId }: AppRef) {
  const app = await requireOwnedApp(deps.db, actor, appId);
  const secret = app.webhookSecret ? deps.cipher.decrypt(app.webhookSecret, cipherContext.appWebhookSecret(app.id)) : null;
  return {
    enabled: app.autoDeploy,
    branch: app.branch,
    url: app.webhookId ? pushWebhookUrl(deps.config.PUBLIC_URL, app.webhookId) : null,
    secret,
  };
}
