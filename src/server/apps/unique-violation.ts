/** Prisma's unique-constraint error (P2002), with the constrained fields when the adapter reports them. */
export function uniqueViolation(err: unknown): { fields: string[] } | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as { code?: string; meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } } };
  if (e.code !== "P2002") return null;
  const target = e.meta?.target;
  const fields = Array.isArray(target)
    ? target.map(String)
    : typeof target === "string"
      ? [target]
      : (e.meta?.driverAdapterError?.cause?.constraint?.fields ?? []);
  return { fields: fields.map((f) => f.replace(/"/g, "")) };
}
