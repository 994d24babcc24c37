import semver from "semver";
import { SourceValidationError } from "../repo-source";

/**
 * Refuses an app whose package.json `engines.node` excludes the Node this worker builds and runs
 * apps with (the agent's own: the process runtime has no other), before any install, with what
 * to change. A range semver cannot read is noted and ignored, as npm does.
 */
export function checkNodeEngine(enginesNode: string | undefined, nodeVersion: string): string | null {
  if (!enginesNode || !enginesNode.trim()) return null;
  const range = semver.validRange(enginesNode.trim());
  if (!range) return `engines.node ${JSON.stringify(enginesNode)} is not a version range; ignored`;
  if (semver.satisfies(nodeVersion, range, { includePrerelease: true })) return `engines.node ${JSON.stringify(enginesNode)}: Node ${nodeVersion} fits`;
  const major = semver.major(nodeVersion);
  throw new SourceValidationError(
    `package.json asks for Node ${JSON.stringify(enginesNode)} (engines.node), but this worker builds and runs apps with Node ${nodeVersion}. ` +
      `If the app works on Node ${major}, widen engines.node to include it (e.g. ">=${Math.min(major, 18)}"); otherwise the app needs a worker with a matching Node`,
  );
}
