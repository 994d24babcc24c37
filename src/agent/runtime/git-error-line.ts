/** Lines git prints around the real cause that say nothing about it. */
const BOILERPLATE = [
  /^please make sure you have the correct access rights/i,
  /^and the repository exists\.?$/i,
  /^fatal: could not read from remote repository\.?$/i,
  /^warning: /i,
];

/**
 * The one line of git's stderr that says what went wrong ("Could not resolve host: x",
 * "Repository not found", "Permission denied (publickey)"), without git's generic advice.
 */
export function usefulGitLine(lines: string[]): string | null {
  const meaningful = lines.map((l) => l.trim()).filter((l) => l && !BOILERPLATE.some((re) => re.test(l)));
  const line = meaningful.find((l) => /^(fatal|error|remote):/i.test(l)) ?? meaningful[0];
  return line ? line.replace(/^(fatal|error):\s*/i, "").slice(0, 300) : null;
}
