import type { ChildSpec } from "../../../src/launcher/supervisor";
import { ServiceProcess } from "./service-process";

/** What src/jobs-process/main.ts logs once pg-boss started: a jobs process's readiness. */
export const JOBS_READY_LINE = "jobs process started";

export type ControlPlaneName = "web" | "hub" | "jobs-1" | "jobs-2";

const ok = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(5_000) })).ok;

/** The launcher's child spec of that name (src/launcher/platform.ts, childSpecs), with extra environment. */
export function childSpecNamed(specs: ChildSpec[], name: string, extraEnv: Record<string, string> = {}): ChildSpec {
  const found = specs.find((s) => s.name === name);
  if (!found) throw new Error(`the launcher has no child named ${name}`);
  return { ...found, env: { ...found.env, ...extraEnv } };
}

/**
 * The control plane as the fault suite and bench:load run it, from the launcher's own child specs:
 * one ws-hub, two jobs processes and the web, each a ServiceProcess (started again a second after
 * it dies) that is ready once it answers its health URL, or for jobs once it logs JOBS_READY_LINE.
 */
export function controlPlaneServices(specs: ChildSpec[], urls: { hubUrl: string; webUrl: string }): Record<ControlPlaneName, ServiceProcess> {
  const jobsProcess = (name: "jobs-1" | "jobs-2"): ServiceProcess => {
    // No port: ready once it says so.
    const jobs: ServiceProcess = new ServiceProcess({
      ...childSpecNamed(specs, "jobs", { LOG_LEVEL: "info" }),
      name,
      ready: async () => jobs.outputSinceStart().includes(JOBS_READY_LINE),
    });
    return jobs;
  };
  return {
    hub: new ServiceProcess({ ...childSpecNamed(specs, "ws-hub"), ready: ok(`${urls.hubUrl}/health`) }),
    "jobs-1": jobsProcess("jobs-1"),
    "jobs-2": jobsProcess("jobs-2"),
    web: new ServiceProcess({ ...childSpecNamed(specs, "web"), ready: ok(`${urls.webUrl}/status`) }),
  };
}
