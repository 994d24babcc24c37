"use client";

import Link from "next/link";
import { useTeamRole } from "@/components/teams/use-team-role";
import { CreateTeamForm } from "./create-team-form";
import { InvitationsList } from "./invitations-list";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./members-table";
import { TeamSettings } from "./team-settings";

/** The members page: the current team, its members and invitations, and what the role allows. */
export function TeamPanel() {
  const { team, can } = useTeamRole();
  if (!team) return <p role="status" className="text-sm text-muted">Loading the team…</p>;
  return (
    <div className="space-y-8">
      <section aria-labelledby="team-heading" className="space-y-1">
        <h2 id="team-heading" className="text-lg font-medium" data-testid="team-name">
          {team.personal ? "Personal" : team.name}
        </h2>
        <p className="text-sm text-muted">
          Your role: <strong data-testid="team-role">{team.role}</strong> · plan {team.plan} ·{" "}
          <Link href="/teams/audit" className="text-accent hover:underline">
            Audit log
          </Link>
        </p>
      </section>
      <MembersTable />
      {team.personal ? (
        <p className="text-sm text-muted">Your personal team is only yours. Create a team to invite people.</p>
      ) : can("members:manage") ? (
        <>
          <InviteForm />
          <InvitationsList />
        </>
      ) : (
        <p className="text-sm text-muted" data-testid="invite-disabled">Only owners and admins invite people and change roles.</p>
      )}
      <TeamSettings />
      <CreateTeamForm />
    </div>
  );
}
