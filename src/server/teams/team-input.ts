import { z } from "zod";
import { teamRoleSchema } from "./roles";

export const teamNameSchema = z
  .string()
  .trim()
  .min(2, "A team name needs at least 2 characters.")
  .max(60, "A team name can have at most 60 characters.")
  .regex(/^[^<>\u0000-\u001f]+$/, "A team name cannot contain control characters or angle brackets.");

export const createTeamInput = z.object({ name: teamNameSchema });
export const renameTeamInput = z.object({ name: teamNameSchema });
export const switchTeamInput = z.object({ teamId: z.number().int().positive() });
export const deleteTeamInput = z.object({ confirmName: z.string().max(100) });
export const memberInput = z.object({ userId: z.number().int().positive() });
export const changeRoleInput = memberInput.extend({ role: teamRoleSchema });
export const transferOwnershipInput = memberInput;
export const inviteInput = z.object({
  email: z.email("Enter the email address to invite.").max(254).transform((e) => e.toLowerCase()),
  role: teamRoleSchema,
});
export const invitationIdInput = z.object({ invitationId: z.number().int().positive() });
/** The token of a mailed invitation link: 43 base64url characters. */
export const invitationTokenInput = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This invitation link is incomplete. Open the link from the mail again.") });
