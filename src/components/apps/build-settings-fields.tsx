"use client";

export interface BuildSettingsValue {
  kind: "auto" | "node" | "static" | "dockerfile";
  installCommand: string;
  buildCommand: string;
  startCommand: string;
  rootDirectory: string;
  /** Dockerfile kind only: the file to build, relative to the root directory. */
  dockerfilePath: string;
}

export const DEFAULT_BUILD: BuildSettingsValue = { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "", dockerfilePath: "" };

const FIELDS: { key: Exclude<keyof BuildSettingsValue, "kind" | "dockerfilePath">; label: string; placeholder: string }[] = [
  { key: "installCommand", label: "Install command", placeholder: "npm ci" },
  { key: "buildCommand", label: "Build command", placeholder: "npm run build" },
  { key: "startCommand", label: "Start command", placeholder: "npm start" },
  { key: "rootDirectory", label: "Root directory", placeholder: "(repository root)" },
];

/** Build settings as in the deploy payload; empty fields mean "detect". */
export function BuildSettingsFields({ value, onChange }: { value: BuildSettingsValue; onChange: (v: BuildSettingsValue) => void }) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <label className="text-sm">
        Kind
        <select value={value.kind} onChange={(e) => onChange({ ...value, kind: e.target.value as BuildSettingsValue["kind"] })} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5">
          <option value="auto">Detect (package.json → Node, index.html → static)</option>
          <option value="node">Node.js</option>
          <option value="static">Static files</option>
          <option value="dockerfile">Dockerfile (built as is; needs a worker with a container engine)</option>
        </select>
      </label>
      {value.kind === "dockerfile" ? (
        <label className="text-sm">
          Dockerfile path
          <input
            value={value.dockerfilePath}
            onChange={(e) => onChange({ ...value, dockerfilePath: e.target.value })}
            placeholder="Containerfile or Dockerfile"
            aria-describedby="dockerfile-help"
            className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs"
          />
          <span id="dockerfile-help" className="mt-1 block text-xs text-muted">Relative to the root directory, e.g. docker/web.Dockerfile. Empty: Containerfile, else Dockerfile.</span>
        </label>
      ) : null}
      {FIELDS.filter((f) => value.kind !== "dockerfile" || f.key === "rootDirectory").map((f) => (
        <label key={f.key} className="text-sm">
          {f.label}
          <input value={value[f.key]} onChange={(e) => onChange({ ...value, [f.key]: e.target.value })} placeholder={f.placeholder} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs" />
        </label>
      ))}
    </div>
  );
}
