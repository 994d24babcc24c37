/** What each button does, as its tooltip and the help line under the buttons. */
export const ACTION_HELP = {
  deploy: "Deploy builds the latest commit of the branch with the current env vars, on any worker with room.",
  redeploy: "Redeploy does the same build on the worker that runs the app now: use it to apply changed env vars or settings.",
  restart: "Restart stops and starts the running version: no build, and it keeps the env vars it started with.",
} as const;
