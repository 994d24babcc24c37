import { freePort } from "../../../src/net/free-port";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "./agent-process";
import { ControlPlane } from "./control-plane";
import { startHubProcess, type HubProcess } from "./hub-process";
import { eventually } from "./runtime-harness";

export type WorkerRuntime = "process" | "container";

/** The worker a test file runs: its name, state directory and the agent's environment for its runtime. */
export interface RuntimeWorker {
  name: string;
  stateDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** The machine's own trust variables, as an operator's environment has them: no registry flags. */
export function machineTrust(): Record<string, string> {
  return Object.fromEntries(["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
}

/**
 * A real hub on a fresh database and a real agent for one worker, started by a file's beforeAll
 * (`start`, then the worker is online) and stopped by its afterAll (`stop` also after a start
 * that failed half way): the set-up the corpus and registry-unreachable files share.
 */
export class WorkerPlatform {
  private tdb: TestDatabase | undefined;
  private hub: HubProcess | undefined;
  private agent: AgentProcess | undefined;
  private cp: ControlPlane | undefined;
  private workerId = 0;

  constructor(readonly worker: RuntimeWorker) {}

  async start(env: Record<string, string> = {}): Promise<void> {
    const tdb = (this.tdb = await createTestDatabase());
    this.hub = await startHubProcess(tdb.url, await freePort());
    this.agent = startAgentProcess({ hubUrl: this.hub.url, name: this.worker.name, stateDir: this.worker.stateDir, env: { ...this.worker.env, ...env } });
    this.cp = new ControlPlane(tdb.db, tdb.url);
    const workerId = (this.workerId = await this.cp.workerId(this.worker.name));
    await eventually(async () => (await tdb.db.worker.findUnique({ where: { id: workerId } }))?.status === "online", 120_000, "worker online");
  }

  /** The started parts, for the tests (which run only after a start that succeeded). */
  get parts(): { tdb: TestDatabase; agent: AgentProcess; cp: ControlPlane; workerId: number } {
    if (!this.tdb || !this.agent || !this.cp) throw new Error("the worker platform was not started");
    return { tdb: this.tdb, agent: this.agent, cp: this.cp, workerId: this.workerId };
  }

  async stop(): Promise<void> {
    await this.agent?.stop();
    await this.hub?.stop();
    await this.cp?.close();
    await this.tdb?.drop();
    await this.worker.cleanup();
  }
}
