import pino from "pino";

export type AgentLogger = pino.Logger;

/** JSON lines on stdout; the agent never logs API keys, JWTs or app env values. */
export function createAgentLogger(level: string, name = "agent"): AgentLogger {
  return pino({ name, level, base: { pid: process.pid } });
}
