/**
 * The sentence to show for a failed mutation: a tRPC input-validation error carries zod's issues
 * (src/server/trpc/trpc.ts puts them in `data.zodError`), whose own messages say what to fix;
 * its `message` is zod's JSON. Any other error's message is already a sentence for the user.
 */
export function inputErrorMessage(error: { message: string; data?: unknown } | null | undefined): string | null {
  if (!error) return null;
  const zod = (error.data as { zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null } | undefined)?.zodError;
  if (!zod) return error.message;
  const messages = [...(zod.formErrors ?? []), ...Object.values(zod.fieldErrors ?? {}).flatMap((m) => m ?? [])];
  return messages.length ? [...new Set(messages)].join(" ") : error.message;
}
