import type { LoadFleet } from "./load-fleet";
import { JOBS_READY_LINE } from "../../tests/faults/support/control-plane-services";
import type { LoadPlatform, LoadServiceName } from "./load-platform";

export interface FaultOutcome {
  name: string;
  /** performance.now() of the kill -9. */
  at: number;
  /** Kill → the process serves again (its readiness check, as the fault suite waits for it). */
  recoveredMs: number;
  /** Hub only: kill → every simulated worker holds a socket again. */
  workersBackMs?: number;
  error?: string;
}

/** What the benchmark kills, and when, as a fraction of the loaded run. */
export const FAULT_PLAN: { service: LoadServiceName; atFraction: number }[] = [
  { service: "jobs-1", atFraction: 0.25 },
  { service: "hub", atFraction: 0.5 },
  { service: "jobs-2", atFraction: 0.75 },
];

/**
 * kill -9 of each planned process at its moment in the run, one after another, and the time until
 * it serves again (its service manager restarts it a second after it dies,
 * tests/faults/support/service-process.ts). For the hub, also the time until all `workers`
 * simulated workers are connected again.
 */
export async function runFaults(platform: LoadPlatform, fleet: LoadFleet, runMs: number, workers: number, note: (line: string) => void): Promise<FaultOutcome[]> {
  const start = performance.now();
  const outcomes: FaultOutcome[] = [];
  for (const { service, atFraction } of FAULT_PLAN) {
    const wait = start + atFraction * runMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const at = performance.now();
    const outcome: FaultOutcome = { name: service, at, recoveredMs: NaN };
    try {
      note(`kill -9 ${service}`);
      const svc = platform.services[service];
      await svc.kill9();
      if (service.startsWith("jobs")) {
        // A jobs process is ready once its current run printed so (load-platform.ts); until the
        // restart, the current run is still the killed one, which did.
        const deadline = performance.now() + 60_000;
        while (svc.outputSinceStart().includes(JOBS_READY_LINE) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      }
      await svc.waitReady(120_000);
      outcome.recoveredMs = performance.now() - at;
      if (service === "hub") {
        // The fleet reports once a second: first see the drop, then the return.
        await fleet.waitBelow(workers, 5_000);
        await fleet.waitConnected(workers, 120_000);
        outcome.workersBackMs = performance.now() - at;
      }
      note(`${service} back after ${Math.round(outcome.recoveredMs)} ms${outcome.workersBackMs ? `, all workers after ${Math.round(outcome.workersBackMs)} ms` : ""}`);
    } catch (err) {
      outcome.error = (err as Error).message.slice(0, 300);
      note(`${service}: ${outcome.error}`);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
