import { randomUUID } from "node:crypto";
import { createBus } from "../../../src/server/bus/create-bus";
import type { Bus } from "../../../src/server/bus/channels";
import { SecretCipher, cipherContext } from "../../../src/server/crypto/secret-cipher";
import type { Db } from "../../../src/server/db/client";
import type { DeployPayload } from "../../../src/protocol/job-payload";
import { HUB_SECRETS } from "./hub-process";
import { eventually } from "./runtime-harness";
import { personalTeamId } from "../../helpers/personal-team";

/** Plays the control plane's part (what the web and jobs processes do) straight in the database. */
export class ControlPlane {
  private readonly cipher = new SecretCipher(HUB_SECRETS.APP_SECRET);
  private readonly bus: Bus;

  constructor(
    private readonly db: Db,
    databaseUrl: string,
  ) {
    this.bus = createBus({ databaseUrl });
  }

  async close(): Promise<void> {
    await this.bus.close();
  }

  async workerId(name: string): Promise<number> {
    // The agent process starts (tsx) and registers first: allow for a loaded machine.
    const worker = await eventually(() => this.db.worker.findUnique({ where: { name } }), 90_000, `worker ${name} registered`);
    return worker.id;
  }

  async createApp(workerId: number): Promise<{ id: number; name: string }> {
    const user = await this.db.user.create({ data: { email: `${randomUUID()}@example.test` } });
    const name = `app-${randomUUID().slice(0, 8)}`;
    const app = await this.db.app.create({
      data: { uuid: randomUUID(), userId: user.id, teamId: await personalTeamId(this.db, user.id), name, subdomain: name, workerId, status: "deploying", repoUrl: "file:///x" },
    });
    return { id: app.id, name };
  }

  /** A deployment and a job assigned to the worker, announced on the bus like the jobs process does. */
  async assignJob(appId: number, workerId: number, type: "deploy" | "restart" | "start" | "stop" | "delete", payload: DeployPayload | null) {
    const deployment = await this.db.deployment.create({ data: { appId, status: "pending", branch: "main", workerId } });
    const job = await this.db.job.create({
      data: {
        type,
        appId,
        deploymentId: deployment.id,
        workerId,
        status: "assigned",
        payload: payload ? this.cipher.encrypt(JSON.stringify(payload), cipherContext.jobPayload(appId)) : "",
        reqCpu: 0.5,
        reqMem: 256,
        assignedAt: new Date(),
      },
    });
    await this.db.worker.update({ where: { id: workerId }, data: { usedCpu: { increment: 0.5 }, usedMem: { increment: 256 } } });
    await this.bus.publish("job.assigned", { jobId: job.id, workerId });
    return { jobId: job.id, deploymentId: deployment.id };
  }

  async finishedJob(jobId: number, timeoutMs = 90_000) {
    return eventually(async () => {
      const job = await this.db.job.findUnique({ where: { id: jobId } });
      return job && (job.status === "completed" || job.status === "failed") ? job : null;
    }, timeoutMs, `job ${jobId} finished`);
  }
}

export function payloadFor(repoUrl: string, overrides: Partial<DeployPayload> = {}): DeployPayload {
  return {
    repoUrl,
    branch: "main",
    commitSha: "",
    buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" },
    env: { GREETING: "Hello from the integration test" },
    internalPort: 8080,
    limits: { cpu: 1, memoryMb: 512, pids: 256, diskMb: 512, bandwidthMbit: 0 },
    subdomain: "demo",
    domains: [],
    ...overrides,
  };
}
