import type { App } from "../db/generated/client";
import type { SecretCipher } from "../crypto/secret-cipher";
import { cipherContext } from "../crypto/secret-cipher";
import { buildSettingsSchema, deployPayloadSchema, type DeployPayload, type RollbackTarget } from "../../protocol/job-payload";
import type { Plan } from "../plans/plans";
import type { DbOrTx } from "../apps/app-access";

/**
 * The worker's view of an app at this moment: spec, decrypted env vars, the plan's runtime and
 * build limits and the verified custom domains. Built inside the deploy transaction so the payload
 * and the deployment row describe the same state.
 */
export async function buildDeployPayload(
  tx: DbOrTx,
  cipher: SecretCipher,
  app: App,
  plan: Plan,
  commit: { commitSha?: string; branch?: string; rollbackTarget?: RollbackTarget } = {},
): Promise<DeployPayload> {
  const [envRows, domains] = await Promise.all([
    tx.appEnvVar.findMany({ where: { appId: app.id }, orderBy: { key: "asc" } }),
    tx.domain.findMany({ where: { appId: app.id, status: "verified" }, select: { hostname: true }, orderBy: { hostname: "asc" } }),
  ]);
  const env: Record<string, string> = {};
  // A value that fails to decrypt aborts the deploy loudly rather than shipping without it.
  for (const row of envRows) env[row.key] = cipher.decrypt(row.value, cipherContext.envVar(app.id, row.key));
  return deployPayloadSchema.parse({
    repoUrl: app.repoUrl,
    branch: commit.branch ?? app.branch,
    commitSha: commit.commitSha ?? "",
    buildSettings: buildSettingsSchema.parse(app.buildSettings ?? {}),
    env,
    internalPort: app.internalPort,
    limits: { cpu: plan.cpu, memoryMb: plan.memoryMb, pids: plan.pids, diskMb: plan.diskMb, bandwidthMbit: plan.bandwidthMbit },
    buildLimits: { cpu: plan.buildCpu, memoryMb: plan.buildMemoryMb, timeoutSeconds: plan.buildTimeoutSeconds },
    healthCheck: { path: app.healthCheckPath, timeoutSeconds: app.healthCheckTimeoutSeconds },
    subdomain: app.subdomain,
    domains: domains.map((d) => d.hostname),
    ...(commit.rollbackTarget ? { rollbackTarget: commit.rollbackTarget } : {}),
  });
}
