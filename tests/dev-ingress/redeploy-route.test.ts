import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedApp, seedUser, seedWorker } from "../hub/helpers/hub-fixture";
import { get, startIngressFixture, type IngressFixture } from "./support/ingress-fixture";

/**
 * Issue 16 item 1: an app's address answers while it is redeployed or rolled back (the previous
 * version serves until the switch), and never routes to a port nothing of the app's serves on
 * (src/server/traefik/proxy-traefik-config.ts, STILL_SERVING). Real hub, real ingress.
 */
describe("the route table while an app is being deployed", () => {
  let ing: IngressFixture;
  let fx: IngressFixture["fx"];
  let port: number;
  beforeAll(async () => {
    ing = await startIngressFixture({ switchWaitMs: 2_000 });
    ({ fx, port } = ing);
  }, 60_000);
  afterAll(() => ing.close());

  /** Waits until the hub has rebuilt its config after now: a new running app shows in the table. */
  async function rebuilt(workerId: number, userId: number) {
    const marker = await seedApp(fx.tdb, userId, workerId, { name: `mark-${Date.now().toString(36)}`, port: 1 });
    await expect.poll(() => ing.feed.current.has(`${marker.name}.localhost`), { timeout: 30_000, interval: 200 }).toBe(true);
  }

  it("a running app that is redeployed keeps its address; a failed new version leaves the old one routed", async () => {
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const v1 = await ing.app("v1 serving");
    const app = await seedApp(fx.tdb, userId, worker.id, { name: "redeploy-keeps", port: v1.port });
    await expect.poll(async () => (await get(port, "redeploy-keeps.localhost")).body, { timeout: 30_000, interval: 200 }).toBe("v1 serving");

    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "deploying" } });
    await rebuilt(worker.id, userId);
    expect(await get(port, "redeploy-keeps.localhost")).toMatchObject({ status: 200, body: "v1 serving" });

    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "failed", statusReason: "the app did not answer; the previous version keeps serving" } });
    await rebuilt(worker.id, userId);
    expect(await get(port, "redeploy-keeps.localhost")).toMatchObject({ status: 200, body: "v1 serving" });

    // The old version crashed too: nothing of the app serves, so the address says so.
    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "crashed" } });
    await rebuilt(worker.id, userId);
    expect((await get(port, "redeploy-keeps.localhost")).status).toBe(404);
  }, 90_000);

  it("an app deployed from stopped is not routed to its old port, which another app may hold now", async () => {
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const other = await ing.app("ANOTHER app's page");
    // The stopped app's recorded port is where another app answers now.
    await seedApp(fx.tdb, userId, worker.id, { name: "stopped-then-deployed", port: other.port, status: "stopped" });
    await fx.tdb.db.app.updateMany({ where: { name: "stopped-then-deployed" }, data: { status: "deploying" } });
    await rebuilt(worker.id, userId);
    const res = await get(port, "stopped-then-deployed.localhost");
    expect(res.body).not.toBe("ANOTHER app's page");
    expect(res.status).toBe(404);
  }, 90_000);
});
