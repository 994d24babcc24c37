/**
 * Which apps had env vars changed in this tab since their last deploy request: the Environment
 * page's "redeploy to apply" notice (src/components/apps/redeploy-notice.tsx). Kept in
 * sessionStorage so it survives moving between the app's tabs; a deploy request clears it.
 */
const KEY = "wh-env-changed";
const listeners = new Set<() => void>();

function read(): number[] {
  if (typeof window === "undefined") return [];
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

function write(ids: number[]): void {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(ids));
  } catch {
    // Storage refused (private mode quota): the notice then lasts until the page reloads.
  }
  for (const l of listeners) l();
}

let memory: number[] | null = null;
function current(): number[] {
  memory ??= read();
  return memory;
}

export function markEnvChanged(appId: number): void {
  if (current().includes(appId)) return;
  memory = [...current(), appId];
  write(memory);
}

export function clearEnvChanged(appId: number): void {
  if (!current().includes(appId)) return;
  memory = current().filter((id) => id !== appId);
  write(memory);
}

export function envChanged(appId: number): boolean {
  return current().includes(appId);
}

export function subscribeEnvChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
