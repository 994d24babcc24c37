"use client";

/** The app's health check as the forms edit it (src/server/apps/app-spec.ts validates it). */
export interface HealthCheckValue {
  path: string;
  /** Kept as typed, so a half-typed number is not reset; sent as a number. */
  timeoutSeconds: string;
}

export const DEFAULT_HEALTH_CHECK: HealthCheckValue = { path: "/", timeoutSeconds: "60" };

export function healthCheckInputOf(value: HealthCheckValue): { path: string; timeoutSeconds: number } {
  return { path: value.path, timeoutSeconds: Number(value.timeoutSeconds) };
}

/** Path and timeout of the check a new version must pass before it gets traffic. */
export function HealthCheckFields({ value, onChange }: { value: HealthCheckValue; onChange: (v: HealthCheckValue) => void }) {
  return (
    <fieldset className="grid gap-3 sm:grid-cols-2">
      <legend className="mb-1 text-sm font-medium">Health check</legend>
      <label className="text-sm">
        Health-check path
        <input
          value={value.path}
          onChange={(e) => onChange({ ...value, path: e.target.value })}
          placeholder="/"
          aria-describedby="health-path-help"
          className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs"
        />
        <span id="health-path-help" className="mt-1 block text-xs text-muted">
          A new version gets traffic once GET on this path answers 2xx or 3xx; until then the old one keeps serving.
        </span>
      </label>
      <label className="text-sm">
        Health-check timeout (seconds)
        <input
          type="number"
          min={1}
          max={600}
          value={value.timeoutSeconds}
          onChange={(e) => onChange({ ...value, timeoutSeconds: e.target.value })}
          aria-describedby="health-timeout-help"
          className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5"
        />
        <span id="health-timeout-help" className="mt-1 block text-xs text-muted">1–600 s, up to the worker&apos;s own start limit.</span>
      </label>
    </fieldset>
  );
}
