import { z } from "zod";

/** The pg-boss queue the jobs process delivers email from (retried on SMTP failure). */
export const EMAIL_QUEUE = "email.send";

export const emailMessageSchema = z.object({
  to: z.email(),
  subject: z.string().min(1).max(300),
  html: z.string().max(1_000_000),
  text: z.string().max(200_000),
  /** Why this mail exists, for logs (e.g. new-device-alert). */
  kind: z.string().max(64).default("generic"),
});
export type EmailMessage = z.input<typeof emailMessageSchema>;
