import pino, { type Logger } from "pino";

/** Structured JSON logs; one child logger per process and component. */
export function createLogger(processName: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { process: processName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["*.password", "*.token", "*.apiKey", "*.api_key", "*.secret", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}

export type { Logger };
