import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/server/config/config";
import { createServices, type Services } from "../../../src/server/runtime/services";
import { appRouter } from "../../../src/server/trpc/root";
import { createCallerFactory } from "../../../src/server/trpc/trpc";
import type { TrpcContext } from "../../../src/server/trpc/context";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { resolveActorTeam, type ActorTeam } from "../../../src/server/teams/actor-team";

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export interface TestUser {
  id: number;
  email: string;
  plan: string;
  /** The user's personal team, as the actor carries it. */
  team: ActorTeam;
  caller: Caller;
  ctx: TrpcContext;
}

export interface AppHarness {
  tdb: TestDatabase;
  services: Services;
  user(plan?: string): Promise<TestUser>;
  close(): Promise<void>;
}

let seq = 0;

/** A migrated database, real services (bus, pg-boss sender, cipher) and callers for signed-in users. */
export async function startAppHarness(env: Record<string, string> = {}): Promise<AppHarness> {
  const tdb = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "wh-apps-"));
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    APP_SECRET: "x".repeat(32),
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PLATFORM_DOMAIN: "apps.test.example",
    PUBLIC_URL: "http://127.0.0.1:3999",
    LOG_LEVEL: "silent",
    // Fake repository URLs: the reachability check (src/server/git/repo-reachability.ts) has its own tests.
    REPO_CHECK_ENABLED: "0",
    ...env,
  });
  const services = createServices("test", config);
  return {
    tdb,
    services,
    async user(plan = "free") {
      const email = `user${++seq}-${Date.now()}@example.com`;
      const row = await tdb.db.user.create({ data: { email, name: "Tester", plan } });
      const session = await tdb.db.session.create({
        data: { userId: row.id, tokenHash: `hash-${row.id}-${seq}`, expiresAt: new Date(Date.now() + 86_400_000) },
      });
      const ctx: TrpcContext = {
        services,
        user: { id: row.id, email, name: "Tester", role: "user", plan },
        session: { id: session.id, twoFactor: false, reauthAt: null },
        request: { ip: "127.0.0.1", userAgent: "vitest", origin: null, headers: new Headers() },
        responseHeaders: new Headers(),
      };
      const team = await resolveActorTeam(tdb.db, { userId: row.id });
      return { id: row.id, email, plan, team, caller: createCaller(ctx), ctx };
    },
    async close() {
      await services.close();
      await tdb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A registered worker, so pinned jobs have somewhere to go. */
export async function insertWorker(services: Services, name = `w-${Date.now()}-${++seq}`) {
  return services.db.worker.create({
    data: { name, apiKeyHash: `${name}-hash`, capCpu: 8, capMem: 16384, status: "online" },
  });
}

/** What a worker's job_result does to an app, so lifecycle tests can start from a deployed app. */
export async function markDeployed(services: Services, appId: number, workerId: number) {
  const deployment = await services.db.deployment.findFirstOrThrow({ where: { appId }, orderBy: { id: "desc" } });
  await services.db.job.updateMany({ where: { appId, status: { in: ["pending", "assigned", "processing"] } }, data: { status: "completed", completedAt: new Date() } });
  await services.db.deployment.update({
    where: { id: deployment.id },
    data: { status: "succeeded", workerId, startedAt: new Date(Date.now() - 5_000), finishedAt: new Date(), commitSha: deployment.commitSha || "a".repeat(40) },
  });
  await services.db.app.update({ where: { id: appId }, data: { status: "running", workerId, currentDeploymentId: deployment.id } });
  return deployment.id;
}

export async function expectTrpcError(promise: Promise<unknown>, code: string, message?: RegExp) {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (message && !message.test(e.message)) throw new Error(`message ${JSON.stringify(e.message)} does not match ${message}`);
    return e;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
