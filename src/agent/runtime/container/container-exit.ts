import { inspectContainer } from "./app-container";
import type { Engine } from "./engine";
import { kernelLogShowsOomKill } from "./kernel-oom";

/** How a container ended, as the crash detection and the `violation` report need it. */
export interface ContainerExit {
  running: boolean;
  exitCode: number;
  /** Killed by the kernel for going over its memory limit. */
  oomKilled: boolean;
  /** The engine's own error (e.g. the command could not be run), when it gives one. */
  error: string | null;
  finishedAt: string | null;
}

/** SIGKILL as an exit code (128 + 9): what an OOM kill looks like from outside. */
const SIGKILL_EXIT = 137;

/**
 * Inspects a container that died (or is still running). OOMKilled comes from the engine, and for
 * an exit by SIGKILL the kernel log is consulted too (kernel-oom.ts says why). Null when the
 * container is gone.
 */
export async function containerExit(engine: Engine, id: string): Promise<ContainerExit | null> {
  const info = await inspectContainer(engine, id);
  if (!info) return null;
  const state = info.State;
  let oomKilled = state.OOMKilled;
  if (!state.Running && !oomKilled && state.ExitCode === SIGKILL_EXIT) oomKilled = await kernelLogShowsOomKill(info.Id);
  const finished = state.FinishedAt && !state.FinishedAt.startsWith("0001-") ? state.FinishedAt : null;
  return { running: state.Running, exitCode: state.ExitCode, oomKilled, error: state.Error || null, finishedAt: finished };
}
