/** "1 other session", "2 other sessions": a count with its noun, for the dashboard, the CLI, the launcher and server messages. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
