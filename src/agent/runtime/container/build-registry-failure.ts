import { DEFAULT_NPM_REGISTRY, type RegistrySettings } from "../../config/registry-settings";
import { classifyRegistryFailure } from "../registry-failure";

/**
 * A failed image build read for a registry problem, as the process runtime reads a failed install
 * (src/agent/runtime/process/build-step.ts): only when the failing step is the install step of a
 * generated Containerfile (a build step's own network calls are the app's business). `stepLines`
 * are the failing step's output, its "STEP n/m: RUN …" line first.
 */
export function registryFailureOf(stepLines: string[], install: string[] | null, registry: RegistrySettings | undefined): string | null {
  if (!install || stepLines.length === 0) return null;
  // The step line shows the argv as JSON, after the secrets' mount flags and loader prefix.
  if (!stepLines[0]!.includes(JSON.stringify(install).slice(1, -1))) return null;
  const found = classifyRegistryFailure(stepLines.slice(1), registry?.npmRegistry ?? DEFAULT_NPM_REGISTRY);
  if (!found) return null;
  return `Installing dependencies: \`${install.join(" ")}\` could not use the package registry — ${found.message}. (${found.evidence})`;
}
