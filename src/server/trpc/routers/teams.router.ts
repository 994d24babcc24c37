import { acceptInvitation, inviteMember, listInvitations, previewInvitation, revokeInvitation } from "../../teams/invitations.service";
import { changeRole, leaveTeam, listMembers, removeMember, transferOwnership } from "../../teams/members.service";
import {
  changeRoleInput,
  createTeamInput,
  deleteTeamInput,
  invitationIdInput,
  invitationTokenInput,
  inviteInput,
  memberInput,
  renameTeamInput,
  switchTeamInput,
  transferOwnershipInput,
} from "../../teams/team-input";
import { createTeam, currentTeam, deleteTeam, listTeams, renameTeam, switchTeam } from "../../teams/teams.service";
import { protectedProcedure, router } from "../trpc";

// Who may call each procedure is its row in src/server/teams/procedure-access.ts (docs/teams.md).
export const teamsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listTeams(ctx.services, ctx.actor)),
  current: protectedProcedure.query(({ ctx }) => currentTeam(ctx.actor)),
  create: protectedProcedure.input(createTeamInput).mutation(({ ctx, input }) => createTeam(ctx.services, ctx.actor, input)),
  switch: protectedProcedure.input(switchTeamInput).mutation(({ ctx, input }) => switchTeam(ctx.services, ctx.actor, input)),
  rename: protectedProcedure.input(renameTeamInput).mutation(({ ctx, input }) => renameTeam(ctx.services, ctx.actor, input)),
  delete: protectedProcedure.input(deleteTeamInput).mutation(({ ctx, input }) => deleteTeam(ctx.services, ctx.actor, input)),
  leave: protectedProcedure.mutation(({ ctx }) => leaveTeam(ctx.services, ctx.actor)),
  members: protectedProcedure.query(({ ctx }) => listMembers(ctx.services, ctx.actor)),
  changeRole: protectedProcedure.input(changeRoleInput).mutation(({ ctx, input }) => changeRole(ctx.services, ctx.actor, input)),
  removeMember: protectedProcedure.input(memberInput).mutation(({ ctx, input }) => removeMember(ctx.services, ctx.actor, input)),
  transferOwnership: protectedProcedure.input(transferOwnershipInput).mutation(({ ctx, input }) => transferOwnership(ctx.services, ctx.actor, input)),
  invitations: protectedProcedure.query(({ ctx }) => listInvitations(ctx.services, ctx.actor)),
  invite: protectedProcedure.input(inviteInput).mutation(({ ctx, input }) => inviteMember(ctx.services, ctx.actor, input)),
  revokeInvitation: protectedProcedure.input(invitationIdInput).mutation(({ ctx, input }) => revokeInvitation(ctx.services, ctx.actor, input)),
  invitation: protectedProcedure.input(invitationTokenInput).query(({ ctx, input }) => previewInvitation(ctx.services, ctx.actor, input)),
  acceptInvitation: protectedProcedure.input(invitationTokenInput).mutation(({ ctx, input }) => acceptInvitation(ctx.services, ctx.actor, input)),
});
