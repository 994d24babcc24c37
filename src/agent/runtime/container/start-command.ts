import type { NpmStartScript } from "../process/detect-app";

/**
 * How a generated image starts its app (containerfile.ts writes the result as the image's CMD).
 *
 * `npm start` in a container costs the app about 65 MiB of its memory limit (npm stays resident
 * beside the app) and 0.1–0.5 s on every start before the app runs (measured with Podman 4.3 on
 * the local base image: the sample app answered 50 ms after its container started when run
 * directly, 580 ms through npm). So package.json's start script is run without npm when npm would
 * add nothing to it: no prestart/poststart hooks, and only plain words (no quotes, variables,
 * operators or globs), which are the same argv whether a shell splits them or not. npm's own
 * additions that apps read (node_modules/.bin on PATH, npm_lifecycle_event, npm_package_name,
 * npm_package_version, …) come as the image's ENV (`npmStartEnv`). Anything else keeps `npm start`.
 */

/** A word a shell passes through unchanged: no quoting, expansion, globbing, comments or operators. */
const PLAIN_WORD = /^[A-Za-z0-9_./@:+,%=-]+$/;
/** The command itself: a plain word that is not a `NAME=value` assignment or an option. */
const PLAIN_COMMAND = /^[A-Za-z0-9_./@+][A-Za-z0-9_./@:+,%-]*$/;

/** The start script's argv when it can run without npm, else null (npm start keeps it). */
export function directStartArgv(npmStart: NpmStartScript | undefined): string[] | null {
  if (!npmStart || npmStart.hooks) return null;
  const words = npmStart.script.trim().split(/[ \t]+/);
  if (!words[0] || !PLAIN_COMMAND.test(words[0]) || !words.every((w) => PLAIN_WORD.test(w))) return null;
  return words;
}

/** The PATH Docker and Podman give a container whose image sets none. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Characters an ENV value may take inside double quotes without any escaping. */
const PLAIN_VALUE = /^[A-Za-z0-9_./@:+,%=~^ -]{1,214}$/;

/**
 * The variables `npm start` would set that apps read, as Containerfile ENV assignments: the bin
 * folders of the app and of its workspace root first on PATH (as npm puts them), the lifecycle
 * event and script, the package.json's path, and the package's name and version when they are
 * plain text (a value that is not is left out rather than escaped).
 */
export function npmStartEnv(npmStart: NpmStartScript, appDir: string, workspaceRoot: string): string[] {
  const bins = [...new Set([appDir, workspaceRoot])].map((d) => `${d}/node_modules/.bin`);
  const values: [string, string | undefined][] = [
    ["npm_lifecycle_event", "start"],
    ["npm_lifecycle_script", npmStart.script.trim()],
    ["npm_package_json", `${appDir}/package.json`],
    ["npm_package_name", npmStart.name],
    ["npm_package_version", npmStart.version],
  ];
  const plain = values.filter((entry): entry is [string, string] => entry[1] !== undefined && PLAIN_VALUE.test(entry[1]));
  // The base image's PATH after them, or the engines' default when the base image sets none.
  return [`PATH=${bins.join(":")}:\${PATH:-${DEFAULT_PATH}}`, ...plain.map(([k, v]) => `${k}="${v}"`)];
}

/**
 * The shell every generated image starts its app under, as PID 1 (fixed text; the app's argv
 * follows as "$@", never parsed by a shell). A process that is PID 1 gets no default action for
 * SIGTERM, so an app that sets no handler (most Node apps) would ignore the engine's stop and be
 * killed only when the grace period ends. This shell runs the app as its child, passes SIGTERM,
 * SIGINT and SIGHUP on to it, and exits with the app's own status (what crash detection reads).
 */
const START_SCRIPT = [
  // The traps first, so no signal comes between the app's start and them; `$child` is read when
  // a signal comes (the app's own copy of a trap is reset to the default action).
  'for sig in TERM INT HUP; do trap "kill -$sig \\$child 2>/dev/null" "$sig"; done',
  // `&` ends the command as `;` would: no `;` after it.
  '"$@" & child=$!',
  'wait "$child"',
  "status=$?",
  // A trapped signal ends `wait` early (status > 128): wait again until the app has exited.
  'while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done',
  'exit "$status"',
].join("; ");

/** The image's CMD for an app argv: START_SCRIPT as PID 1, the app its child. */
export function startUnderSignalRelay(argv: string[]): string[] {
  return ["/bin/sh", "-c", START_SCRIPT, "wisehosting-start", ...argv];
}
