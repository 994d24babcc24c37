/** What the runtime tells the rest of the agent (which turns it into frames for the hub). */
export interface RuntimeEvents {
  appStatus(appId: number, status: "running" | "stopped" | "crashed", reason?: string): void;
  violation(appId: number, reason: string): void;
  log(appId: number, stream: "stdout" | "stderr", line: string): void;
}
