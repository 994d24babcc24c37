/**
 * Runs once when the Next.js server starts: validate configuration so a production web process
 * with missing secrets refuses to start (naming them) instead of failing on the first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { loadConfigOrExit } = await import("./server/config/config");
  loadConfigOrExit("web");
}
