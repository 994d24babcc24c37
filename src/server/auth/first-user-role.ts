import type { Prisma } from "../db/client";

// Serialises "is this the first account?" so two simultaneous first sign-ups cannot both be admin.
const FIRST_USER_LOCK = 0x77685f75; // "wh_u"

/**
 * The role for an account being created inside `tx`: admin for the very first account and for
 * ADMIN_EMAILS, user otherwise. Holds a transaction-scoped advisory lock until `tx` ends.
 */
export async function roleForNewUser(tx: Prisma.TransactionClient, email: string, adminEmails: string[]): Promise<"admin" | "user"> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_USER_LOCK})`;
  const existing = await tx.user.count();
  return existing === 0 || adminEmails.includes(email) ? "admin" : "user";
}
