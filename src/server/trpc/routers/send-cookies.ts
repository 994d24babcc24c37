/**
 * Puts a sign-in step's cookies on the response (cookies it clears first, then its own) and
 * answers with the status only: session tokens never reach the page's JavaScript.
 */
export function sendCookies<S extends string>(ctx: { responseHeaders: Headers }, result: { status: S; setCookie: string }, ...cleared: string[]): { status: S } {
  for (const cookie of [...cleared, result.setCookie]) ctx.responseHeaders.append("set-cookie", cookie);
  return { status: result.status };
}
