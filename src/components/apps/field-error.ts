/**
 * A form's error is about the value that was submitted: once the field holds something else the
 * error is old news and is hidden (issue 16 item 5), and it shows again only if the same value is
 * submitted again. Values are compared by their JSON, so objects of settings compare by content.
 */
export function whileUnchanged<T>(error: T | undefined | null, submitted: unknown, current: unknown): T | undefined {
  if (error === undefined || error === null) return undefined;
  return JSON.stringify(submitted ?? null) === JSON.stringify(current ?? null) ? error : undefined;
}
