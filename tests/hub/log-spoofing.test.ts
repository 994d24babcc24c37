import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printableLogLine, printableLogText } from "../../src/server/worker-reports/log-text";
import { startHubFixture, seedApp, seedUser, seedWorker, type HubFixture, type SeededWorker } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

// An app controls what it prints: carriage returns, backspaces and bidi controls could forge or
// overwrite lines in the log viewer, so none of them is stored.
const FORGED = "GET /health 200\rADMIN LOGIN OK\bX\u202eevil\u202c\u2066iso\u2069\u200f.";

describe("log spoofing", () => {
  let fx: HubFixture;
  let w: SeededWorker;
  let worker: TestWorker;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture({});
    w = await seedWorker(fx.tdb);
    userId = await seedUser(fx.tdb);
    worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
  });
  afterAll(async () => {
    worker.close();
    await fx.close();
  });

  const apply = async (type: string, payload: unknown) => {
    const seq = worker.send(type, payload);
    await worker.roundTrip();
    const err = worker.errors().find((e) => e.re === seq);
    if (err) throw new Error(`${type} answered ${err.data.code}: ${err.data.message}`);
  };

  it("the sanitisers drop CR, backspace, C1 and bidi controls and keep tabs and newlines in text", () => {
    expect(printableLogLine(FORGED)).toBe("GET /health 200 ADMIN LOGIN OKXeviliso.");
    expect(printableLogText("step 1\r\nstep 2\rstep 3\tdone\u0085\u009b\n")).toBe("step 1\nstep 2\nstep 3\tdone\n");
  });

  it("runtime log lines and build logs are stored without them", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    await apply("runtime_log", { lines: [{ app_id: app.id, ts: new Date().toISOString(), stream: "stdout", line: FORGED }] });
    const row = await fx.tdb.db.runtimeLog.findFirstOrThrow({ where: { appId: app.id } });
    expect(row.line).toBe("GET /health 200 ADMIN LOGIN OKXeviliso.");
    expect(row.line).not.toMatch(/[\r\b\u202a-\u202e\u2066-\u2069\u200f]/);

    const dep = await fx.tdb.db.deployment.create({ data: { appId: app.id, workerId: w.id } });
    await apply("build_log", { deployment_id: dep.id, chunk: `npm ci\r\n${FORGED}\n` });
    const { buildLogs } = await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: dep.id } });
    expect(buildLogs).toBe("npm ci\nGET /health 200\nADMIN LOGIN OKXeviliso.\n");
  });
});
