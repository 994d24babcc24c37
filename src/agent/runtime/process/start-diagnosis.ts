import { waitUntilAnswering } from "../readiness";
import type { AppInstance } from "./app-instance";
import type { ExitInfo } from "./app-process";
import { listeningPorts } from "./listening-sockets";
import { appPids, instancePortHolder, portHolder } from "./port-holder";

export type StartOutcome =
  | { kind: "ready" }
  | { kind: "exited"; exit: ExitInfo | null }
  | { kind: "wrong-port"; ports: number[] }
  /** Another process holds $PORT: whatever answers there is not the app. */
  | { kind: "port-taken" }
  | { kind: "timeout"; ports: number[] };

/**
 * An app that listens elsewhere this long (and not on $PORT) is not going to bind $PORT later;
 * a $PORT another process holds this long is not going to be freed for it.
 */
const WRONG_PORT_GRACE_MS = 3_000;

/** The TCP ports the app's process tree listens on right now. */
export function appListeningPorts(instance: AppInstance): number[] {
  return listeningPorts(appPids(instance));
}

/**
 * Waits until the app answers HTTP on `port`, exits, or the timeout passes, and watches which
 * ports its processes listen on meanwhile: an app listening only on another port (a hard-coded
 * 3000) is failed as soon as that is clear, with that port named, instead of after the timeout.
 * Only an answer from a socket the app's own processes hold counts (port-holder.ts): a server
 * another app or an earlier run left on a reused port must not pass this app's health check.
 */
export async function waitForStart(instance: AppInstance, port: number, timeoutMs: number, path = "/"): Promise<StartOutcome> {
  let exit: ExitInfo | null = null;
  instance.onExit((info) => (exit = info));
  const deadline = Date.now() + timeoutMs;
  let elsewhereSince: number | null = null;
  let takenSince: number | null = null;
  const answeredByApp = () => instancePortHolder(instance, port) === "app";
  while (Date.now() < deadline) {
    const round = await waitUntilAnswering(port, Math.min(1_000, Math.max(1, deadline - Date.now())), { hasExited: () => instance.proc.hasExited, path, answeredByApp });
    if (round === "ready") return { kind: "ready" };
    if (round === "exited") return { kind: "exited", exit };
    // One look at the app's process tree serves both questions.
    const pids = appPids(instance);
    if (portHolder(pids, port) === "other") {
      takenSince ??= Date.now();
      if (Date.now() - takenSince >= WRONG_PORT_GRACE_MS) return { kind: "port-taken" };
    } else takenSince = null;
    const ports = listeningPorts(pids);
    if (ports.length > 0 && !ports.includes(port)) {
      elsewhereSince ??= Date.now();
      if (Date.now() - elsewhereSince >= WRONG_PORT_GRACE_MS) return { kind: "wrong-port", ports };
    } else elsewhereSince = null;
  }
  const pids = appPids(instance);
  if (portHolder(pids, port) === "other") return { kind: "port-taken" };
  const ports = listeningPorts(pids);
  return ports.length > 0 && !ports.includes(port) ? { kind: "wrong-port", ports } : { kind: "timeout", ports };
}

/** Said when $PORT is held by another process on the worker, whether the app waited or crashed on it. */
export function portTakenMessage(port: number): string {
  return (
    `another process on this worker already listens on port ${port}, the port given to this app in $PORT, ` +
    "so what answers there is not your app; deploy again to get another port"
  );
}

function portList(ports: number[]): string {
  return ports.length === 1 ? String(ports[0]) : `${ports.slice(0, -1).join(", ")} and ${ports.at(-1)}`;
}

export function wrongPortMessage(ports: number[], port: number): string {
  return (
    `your app listens on ${portList(ports)}, not on $PORT (${port}): the worker sends its traffic to the port in the PORT environment variable. ` +
    "Listen on that port, e.g. app.listen(process.env.PORT || 3000) or `next start -p $PORT`"
  );
}

/** npm's own chatter and Node's deprecation notices are not the app's error. */
const NOISE = /^(npm (warn|notice|info)\b|\(node:\d+\) (\[\w+\] )?\w*Warning|\(Use `node --trace-)/;

/** The first lines of what the app wrote to stderr since it started (its first error), else its last output lines. */
export async function firstErrorLines(instance: AppInstance, max = 10): Promise<string[]> {
  return pickFirstErrorLines(await instance.outputSinceLaunch(), max);
}

/** The first error lines of an app's output since its start (also a container's, container-start-diagnosis.ts). */
export function pickFirstErrorLines({ stdout, stderr }: { stdout: string[]; stderr: string[] }, max = 10): string[] {
  const errLines = stderr.filter((l) => l.trim() && !NOISE.test(l));
  if (errLines.length) return errLines.slice(0, max);
  return stdout.filter((l) => l.trim()).slice(-max);
}

/** The ports named in EADDRINUSE errors among the lines, in order. */
function portsInUse(lines: string[]): number[] {
  const ports: number[] = [];
  for (const line of lines) {
    const m = /EADDRINUSE\b.*?:(\d{2,5})\b/.exec(line) ?? /address already in use.*?:(\d{2,5})\b/i.exec(line);
    if (m) ports.push(Number(m[1]));
  }
  return ports;
}

/** An EADDRINUSE for a port other than $PORT: the app binds a fixed port that something else already holds. */
export function busyFixedPort(lines: string[], port: number): number | null {
  return portsInUse(lines).find((p) => p !== port) ?? null;
}

/** An EADDRINUSE for $PORT itself: another process took the app's port before the app could. */
export function busyOwnPort(lines: string[], port: number): boolean {
  return portsInUse(lines).includes(port);
}

/** The deploy's failure message for an app that did not come up. */
export async function startFailureMessage(instance: AppInstance, outcome: Exclude<StartOutcome, { kind: "ready" }>, port: number, timeoutMs: number, path = "/"): Promise<string> {
  if (outcome.kind === "wrong-port") return wrongPortMessage(outcome.ports, port);
  if (outcome.kind === "port-taken") return portTakenMessage(port);
  if (outcome.kind === "timeout") {
    const seconds = Math.round(timeoutMs / 1000);
    if (path !== "/" && outcome.ports.includes(port)) {
      return `the app listens on port ${port} but did not answer its health check GET ${path} with a 2xx/3xx within ${seconds} s; fix that route or change the health-check path in the app's settings`;
    }
    return `the app did not answer on port ${port} within ${seconds} s (timeout); it must listen on the port given in $PORT${outcome.ports.length ? "" : " (it listens on no port yet)"}`;
  }
  const lines = await firstErrorLines(instance);
  if (busyOwnPort(lines, port)) return portTakenMessage(port);
  const busy = busyFixedPort(lines, port);
  if (busy !== null) return `${wrongPortMessage([busy], port)} (port ${busy} is already in use on this worker, so the app crashed)`;
  const how = outcome.exit?.signal ? `killed by ${outcome.exit.signal}` : outcome.exit?.code != null ? `exit code ${outcome.exit.code}` : "it stopped";
  const first = lines.length ? `; its first error lines:\n${lines.map((l) => `  ${l}`).join("\n")}` : "; it wrote nothing";
  return `the app exited before it answered on port ${port} (${how})${first}`;
}
