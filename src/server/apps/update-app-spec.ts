import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { assertSafeRepoUrl } from "../git/repo-url";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { appIdInput, lockOwnedApp, type Tx } from "./app-access";
import { appSpecPatchInput, type AppSpecPatch } from "./app-spec";

export const updateAppSpecInput = appIdInput.extend({ spec: appSpecPatchInput });

/** What a failed app's reason says once its settings changed after the failure. */
export const STALE_FAILURE = "the last deploy failed with the previous settings; deploy to try the new ones";

/** Changes the build spec; changes apply on the next deploy. */
export async function updateAppSpec(deps: Pick<Services, "db" | "config">, actor: Pick<Actor, "userId" | "team" | "audit">, input: z.input<typeof updateAppSpecInput>) {
  const { appId } = input;
  const patch = appSpecPatchInput.parse(input.spec);
  const repoUrl = patch.repoUrl === undefined ? undefined : await assertSafeRepoUrl(patch.repoUrl, { allowLocal: deps.config.LOCAL_REPOS_ENABLED, allowCidrs: deps.config.REPO_ALLOW_CIDRS });
  const app = await deps.db.$transaction(async (tx: Tx) => {
    const before = await lockOwnedApp(tx, actor, appId);
    const changed = Object.values(patch).some((v) => v !== undefined);
    return tx.app.update({
      where: { id: appId },
      data: {
        // A failed deploy's error was about the earlier settings: the header stops showing it as if
        // it were still true (issue 16 item 5) and says what to do instead.
        ...(changed && before.status === "failed" && before.statusReason ? { statusReason: STALE_FAILURE } : {}),
        ...(repoUrl !== undefined ? { repoUrl } : {}),
        ...(patch.branch !== undefined ? { branch: patch.branch } : {}),
        ...(patch.buildSettings !== undefined ? { buildSettings: patch.buildSettings } : {}),
        ...(patch.internalPort !== undefined ? { internalPort: patch.internalPort } : {}),
        ...(patch.healthCheck !== undefined ? { healthCheckPath: patch.healthCheck.path, healthCheckTimeoutSeconds: patch.healthCheck.timeoutSeconds } : {}),
      },
    });
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "app_update",
    context: actor.audit,
    targetType: "app",
    targetId: appId,
    metadata: { changed: Object.keys(patch).filter((k) => patch[k as keyof AppSpecPatch] !== undefined).sort() },
  });
  return app;
}
