import { createHash } from "node:crypto";
import type { App } from "../../db/generated/client";
import { recordAuditEvent } from "../../audit/record-audit-event";
import { cipherContext } from "../../crypto/secret-cipher";
import { DomainError } from "../../errors/domain-errors";
import type { Services } from "../../runtime/services";
import type { Tx } from "../../apps/app-access";
import { enqueueDeployment } from "../../apps/deployments/enqueue-deployment";
import { requestAssignment } from "../../jobs/request-assignment";
import { publishAppChanged } from "../../apps/publish-app-changed";
import { uniqueViolation } from "../../apps/unique-violation";
import { isCommitSha } from "../git-ref";
import { repoIdentity } from "../repo-url";
import { deliveryIdOf, detectVendor } from "./detect-vendor";
import { parsePushDelivery } from "./parse-push";
import { FRESHNESS_HISTORY, judgePushFreshness } from "./push-freshness";
import type { HeaderGet, PushEvent } from "./push-event";
import { verifyPushSignature } from "./verify-push-signature";

/** Push payloads are small; anything bigger is refused before it is parsed. */
export const PUSH_BODY_MAX_BYTES = 1024 * 1024;

export type PushDeps = Pick<Services, "db" | "cipher" | "plans" | "queue" | "log" | "bus">;

export interface PushResult {
  status: number;
  body: {
    ok: boolean;
    message: string;
    deployed?: { appId: number; deploymentId: number }[];
    skipped?: { appId: number; reason: string }[];
    /** Apps the push was refused for because it is older than what they deployed (recorded as `push_refused`). */
    refused?: { appId: number; reason: string }[];
  };
}

const reply = (status: number, ok: boolean, message: string, extra: Partial<PushResult["body"]> = {}): PushResult => ({
  status,
  body: { ok, message, ...extra },
});

/**
 * A push webhook delivered to one app's endpoint. Checked in order: endpoint exists and has a
 * secret, vendor known, signature or token valid (constant time), body not seen before, repo
 * and branch tracked. Then the fan-out: every auto-deploy app of the same owner tracking this
 * repository and branch gets its own deployment, each in its own transaction so one app's
 * failure (say, a deploy already running) does not stop the others, unless the push is older
 * than what that app already deployed from the branch (`judgePushFreshness`).
 */
export async function handlePushWebhook(deps: PushDeps, input: { webhookId: string; header: HeaderGet; body: Buffer }): Promise<PushResult> {
  const { webhookId, header, body } = input;
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(webhookId)) return reply(404, false, "Unknown webhook endpoint.");
  const app = await deps.db.app.findFirst({ where: { webhookId, deletedAt: null } });
  if (!app) return reply(404, false, "Unknown webhook endpoint.");
  if (!app.webhookSecret) return reply(403, false, "This endpoint has no secret configured; deliveries are refused.");
  if (body.length > PUSH_BODY_MAX_BYTES) return reply(413, false, "Payload too large.");

  const vendor = detectVendor(header);
  if (!vendor) return reply(400, false, "Unrecognised sender: expected a GitHub, GitLab, Gitea/Forgejo/Codeberg or Bitbucket webhook.");
  const secret = deps.cipher.decrypt(app.webhookSecret, cipherContext.appWebhookSecret(app.id));
  const signature = verifyPushSignature(vendor, header, body, secret);
  if (!signature.ok) {
    deps.log.warn({ appId: app.id, vendor, reason: signature.reason }, "push webhook refused");
    return reply(401, false, `Signature check failed: ${signature.reason}.`);
  }

  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return reply(400, false, "Body is not JSON; set the webhook's content type to application/json.");
  }
  const parsed = parsePushDelivery(vendor, header, json);
  if (parsed.kind === "ping") return reply(200, true, "Pong: the endpoint and secret work.");
  if (parsed.kind === "ignored") return reply(202, true, `Ignored: ${parsed.reason}.`);

  // Replays are recognised by what the signature covers: the body. The delivery-id headers are
  // not signed (a replay can carry any), and none of the four vendors repeats its id inside the
  // body, so the body's SHA-256 is the key.
  const bodySha256 = createHash("sha256").update(body).digest("hex");
  try {
    await deps.db.gitPushDelivery.create({ data: { provider: vendor, deliveryId: `${webhookId}:sha256:${bodySha256}` } });
  } catch (err) {
    if (uniqueViolation(err)) return reply(200, true, "Duplicate delivery ignored.");
    throw err;
  }

  const event = parsed.event;
  if (!app.autoDeploy) return reply(202, true, "Ignored: auto-deploy is off for this app.");
  if (event.deleted) return reply(202, true, "Ignored: the branch was deleted.");
  if (!event.branch) return reply(202, true, "Ignored: only branch pushes are deployed.");
  if (event.branch !== app.branch) return reply(202, true, `Ignored: branch ${event.branch} is not tracked (this app deploys ${app.branch}).`);
  const identities = new Set(event.repoUrls.map(repoIdentity).filter((x): x is string => !!x));
  const ownRepo = repoIdentity(app.repoUrl);
  if (!ownRepo || !identities.has(ownRepo)) return reply(202, true, "Ignored: the pushed repository is not the one this app tracks.");

  return fanOut(deps, app, event, identities, { bodySha256, deliveryHeader: deliveryIdOf(vendor, header) });
}

type TargetOutcome = { kind: "deployed"; deployment: { id: number } } | { kind: "refused"; reason: string };

/** How the delivery is named in records: the body hash, and the vendor's unsigned header id for finding it in the vendor's log. */
interface DeliveryRef {
  bodySha256: string;
  deliveryHeader: string | null;
}

async function fanOut(deps: PushDeps, origin: App, event: PushEvent, identities: Set<string>, delivery: DeliveryRef): Promise<PushResult> {
  const candidates = await deps.db.app.findMany({
    where: { teamId: origin.teamId, deletedAt: null, autoDeploy: true, branch: event.branch! },
    orderBy: { id: "asc" },
  });
  const targets = candidates.filter((a) => {
    const id = repoIdentity(a.repoUrl);
    return id !== null && identities.has(id);
  });
  // The plan is the team's (docs/teams.md).
  const owner = await deps.db.team.findUniqueOrThrow({ where: { id: origin.teamId }, select: { plan: true } });
  const plan = deps.plans.for(owner.plan);
  const commitSha = isCommitSha(event.commitSha) ? event.commitSha : "";
  const triggeredBy = `${event.vendor} push${event.pusher ? ` by ${event.pusher.slice(0, 100)}` : ""}`;
  const deployed: { appId: number; deploymentId: number }[] = [];
  const skipped: { appId: number; reason: string }[] = [];
  const refused: { appId: number; reason: string }[] = [];

  for (const target of targets) {
    try {
      const outcome = await deps.db.$transaction(async (tx: Tx): Promise<TargetOutcome> => {
        // The row lock also serialises concurrent deliveries for the app, so the freshness check
        // below sees the deployment a delivery racing this one just created.
        const locked = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM apps WHERE id = ${target.id} AND deleted_at IS NULL AND auto_deploy FOR UPDATE`;
        if (locked.length === 0) throw new DomainError("PRECONDITION_FAILED", "auto-deploy was turned off");
        const app = await tx.app.findUniqueOrThrow({ where: { id: target.id } });
        const history = await tx.deployment.findMany({
          where: { appId: app.id, branch: event.branch! },
          orderBy: { id: "desc" },
          take: FRESHNESS_HISTORY,
          select: { id: true, trigger: true, commitSha: true, createdAt: true },
        });
        const freshness = judgePushFreshness(event, history);
        if (!freshness.fresh) return { kind: "refused", reason: freshness.reason };
        const deployment = await enqueueDeployment(tx, deps, {
          app,
          plan,
          actor: null,
          trigger: "push",
          triggeredBy,
          commit: { sha: commitSha, message: event.commitMessage, branch: event.branch! },
        });
        return { kind: "deployed", deployment };
      });
      if (outcome.kind === "refused") {
        refused.push({ appId: target.id, reason: outcome.reason });
        deps.log.warn({ appId: target.id, vendor: event.vendor, commitSha, reason: outcome.reason }, "push refused as older than the app's deployment");
        await recordAuditEvent(deps.db, {
          userId: target.userId,
          context: { teamId: target.teamId },
          kind: "push_refused",
          targetType: "app",
          targetId: target.id,
          metadata: { vendor: event.vendor, branch: event.branch, commitSha: event.commitSha, before: event.before, forced: event.forced, reason: outcome.reason, ...delivery },
        });
        continue;
      }
      const deployment = outcome.deployment;
      deployed.push({ appId: target.id, deploymentId: deployment.id });
      await recordAuditEvent(deps.db, {
        userId: target.userId,
        context: { teamId: target.teamId },
        kind: "app_deploy",
        targetType: "deployment",
        targetId: deployment.id,
        metadata: { appId: target.id, trigger: "push", vendor: event.vendor, commitSha },
      }).catch(() => undefined);
      await publishAppChanged(deps, { id: target.id, userId: target.userId, status: "deploying" });
    } catch (err) {
      const reason = err instanceof DomainError ? err.message : "internal error";
      if (!(err instanceof DomainError)) deps.log.error({ err, appId: target.id }, "push deploy failed");
      skipped.push({ appId: target.id, reason });
    }
  }
  if (deployed.length > 0) await requestAssignment(deps);
  // 2xx even when refused: the delivery was authentic and handled; a 4xx would make some vendors
  // retry it or disable the hook.
  if (deployed.length === 0 && skipped.length === 0 && refused.length === 1) return reply(202, true, `Refused: ${refused[0]!.reason}.`, { deployed, skipped, refused });
  const tail = [skipped.length ? `${skipped.length} skipped` : "", refused.length ? `${refused.length} refused as older` : ""].filter(Boolean);
  return reply(202, true, `Deploying ${deployed.length} app${deployed.length === 1 ? "" : "s"}${tail.length ? `, ${tail.join(", ")}` : ""}.`, { deployed, skipped, refused });
}
