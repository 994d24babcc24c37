import { randomUUID } from "node:crypto";
import { loadConfig } from "../../../src/server/config/config";
import { generateApiKey, hashApiKey } from "../../../src/protocol/api-key";
import { cipherContext } from "../../../src/server/crypto/secret-cipher";
import type { DeployPayload } from "../../../src/protocol/job-payload";
import { createServices, type Services } from "../../../src/server/runtime/services";
import { startHub, type HubOptions, type RunningHub } from "../../../src/ws-hub/hub";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { TEST_SECRETS } from "./spawn-hub";
import { personalTeamId } from "../../helpers/personal-team";

export interface HubFixture {
  tdb: TestDatabase;
  services: Services;
  hub: RunningHub;
  url: string;
  close(): Promise<void>;
}

/** A hub in this process on a free port, against a fresh test database. */
export async function startHubFixture(options: Partial<HubOptions> = {}, env: Record<string, string> = {}): Promise<HubFixture> {
  const tdb = await createTestDatabase();
  const config = loadConfig({ ...TEST_SECRETS, NODE_ENV: "test", DATABASE_URL: tdb.url, LOG_LEVEL: "silent", DATA_DIR: "/tmp/wh-hub-test", ...env });
  const services = createServices("ws-hub-test", config);
  const hub = await startHub(services, { port: 0, host: "127.0.0.1", ...options });
  await hub.subscribed;
  return {
    tdb,
    services,
    hub,
    url: `http://127.0.0.1:${hub.port}`,
    async close() {
      await hub.close();
      await tdb.drop();
    },
  };
}

export interface SeededWorker {
  id: number;
  name: string;
  apiKey: string;
}

export async function seedWorker(tdb: TestDatabase, overrides: { name?: string; wireguardIp?: string | null; capCpu?: number; capMem?: number } = {}): Promise<SeededWorker> {
  const apiKey = generateApiKey(32);
  const name = overrides.name ?? `w-${randomUUID().slice(0, 8)}`;
  const w = await tdb.db.worker.create({
    data: {
      name,
      ip: "10.0.0.1",
      apiKeyHash: hashApiKey(apiKey),
      capCpu: overrides.capCpu ?? 8,
      capMem: overrides.capMem ?? 16384,
      wireguardIp: overrides.wireguardIp === undefined ? "10.8.0.1" : overrides.wireguardIp,
    },
  });
  return { id: w.id, name, apiKey };
}

export async function seedUser(tdb: TestDatabase): Promise<number> {
  const u = await tdb.db.user.create({ data: { email: `${randomUUID()}@example.test` } });
  return u.id;
}

export async function seedApp(
  tdb: TestDatabase,
  userId: number,
  workerId: number | null,
  overrides: { status?: "running" | "pending" | "deploying" | "stopped"; port?: number | null; name?: string } = {},
) {
  const slug = overrides.name ?? `app-${randomUUID().slice(0, 8)}`;
  return tdb.db.app.create({
    data: {
      uuid: randomUUID(),
      userId,
      teamId: await personalTeamId(tdb.db, userId),
      name: slug,
      subdomain: slug,
      workerId,
      status: overrides.status ?? "running",
      port: overrides.port === undefined ? 30001 : overrides.port,
      repoUrl: "https://example.test/repo.git",
    },
  });
}

export function samplePayload(overrides: Partial<DeployPayload> = {}): DeployPayload {
  return {
    repoUrl: "https://example.test/repo.git",
    branch: "main",
    commitSha: "",
    buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" },
    env: { PORT: "8080", SECRET_THING: "s3cret" },
    internalPort: 8080,
    limits: { cpu: 1, memoryMb: 512, pids: 256, diskMb: 1024, bandwidthMbit: 10 },
    subdomain: "demo",
    domains: [],
    ...overrides,
  };
}

/** A deployment + job assigned to the worker (what the jobs process does), reserving capacity. */
export async function seedAssignedJob(
  fx: { tdb: TestDatabase; services: Pick<Services, "cipher"> },
  appId: number,
  workerId: number,
  options: { type?: "deploy" | "restart" | "start" | "stop" | "delete"; payload?: string | null; reqCpu?: number; reqMem?: number } = {},
) {
  const { tdb, services } = fx;
  const dep = await tdb.db.deployment.create({ data: { appId, status: "pending", branch: "main" } });
  const payload =
    options.payload === undefined
      ? services.cipher.encrypt(JSON.stringify(samplePayload()), cipherContext.jobPayload(appId))
      : (options.payload ?? "");
  const reqCpu = options.reqCpu ?? 1;
  const reqMem = options.reqMem ?? 512;
  const job = await tdb.db.job.create({
    data: { type: options.type ?? "deploy", appId, deploymentId: dep.id, workerId, status: "assigned", payload, reqCpu, reqMem, assignedAt: new Date() },
  });
  await tdb.db.worker.update({ where: { id: workerId }, data: { usedCpu: { increment: reqCpu }, usedMem: { increment: reqMem } } });
  return { job, deployment: dep };
}
