/**
 * The load benchmark's simulated workers, in a process of their own so that signing and sending
 * their frames never delays the dashboard clients' clock in bench/load.bench.ts. Started with the
 * path of a JSON file (fleetConfigSchema); prints a fleetReportSchema line on stdout every second
 * and a last one after SIGTERM (or when the benchmark that started it is gone), then exits.
 */
import { readFileSync } from "node:fs";
import { WorkerJwtSigner } from "../../src/server/workers/worker-jwt";
import { fleetConfigSchema, type FleetReport } from "./load-fleet-protocol";
import { FleetWorker, type FleetCounters } from "./load-fleet-worker";

const TICK_MS = 100;
const HEARTBEAT_SECONDS = 10;

const config = fleetConfigSchema.parse(JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")));
const counters: FleetCounters = { frames: 0, lines: 0, skipped: 0, reconnects: 0 };
const signer = new WorkerJwtSigner(config.appSecret);
const fleet = config.workers.map((w) => new FleetWorker(config.hubWs, signer, w, counters));

// Connections spread over a few seconds (as agents start over time), not all in one burst.
fleet.forEach((w, i) => setTimeout(() => w.connect(), Math.floor((i * config.connectSpreadMs) / fleet.length)));

// Each worker streams once per `streamEverySeconds`, the fleet spread evenly over the ticks.
const streamSlots = Math.max(1, Math.round((config.streamEverySeconds * 1000) / TICK_MS));
const beatSlots = Math.round((HEARTBEAT_SECONDS * 1000) / TICK_MS);
let tick = 0;
const ticker = setInterval(() => {
  tick += 1;
  for (let i = tick % streamSlots; i < fleet.length; i += streamSlots) fleet[i]!.stream(config.linesPerFrame);
  for (let i = tick % beatSlots; i < fleet.length; i += beatSlots) fleet[i]!.heartbeat();
}, TICK_MS);

const report = (done: boolean) => {
  const line: FleetReport = { at: Date.now(), connected: fleet.reduce((n, w) => n + (w.connected ? 1 : 0), 0), ...counters, done };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const reporter = setInterval(() => report(false), 1_000);

let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  clearInterval(ticker);
  clearInterval(reporter);
  report(true);
  for (const w of fleet) w.close();
  process.stdout.write("", () => process.exit(0));
};
process.once("SIGTERM", stop);
// The benchmark holds our stdin open: when it dies without stopping us, so do we.
process.stdin.on("close", stop);
process.stdin.resume();
