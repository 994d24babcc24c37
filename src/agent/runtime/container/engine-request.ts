import type Docker from "dockerode";
import type DockerModem from "docker-modem";

/**
 * One Engine API request through dockerode's modem, with an abort signal. The typed dockerode
 * methods do not all accept a signal, and an engine that hangs must not hang the agent; answers
 * come back as `unknown` so callers validate what they rely on (zod).
 */
export function engineCall(docker: Docker, options: DockerModem.DialOptions & { timeoutMs?: number }): Promise<unknown> {
  const { timeoutMs, ...dial } = options;
  const signal = dial.abortSignal ?? (timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined);
  return new Promise((resolve, reject) => {
    docker.modem.dial({ statusCodes: { 200: true, 201: true, 204: true }, ...dial, abortSignal: signal }, (err, data) =>
      err ? reject(err) : resolve(data),
    );
  });
}

/** The HTTP status of an engine error (dockerode puts it on `statusCode`), or null. */
export function engineStatus(err: unknown): number | null {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : null;
}
