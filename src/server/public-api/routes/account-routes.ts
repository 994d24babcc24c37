import { z } from "zod";
import { defineRoute } from "../api-route";
import { iso, meSchema, teamSchema } from "../schemas";

const me = defineRoute({
  method: "GET",
  path: "/me",
  operationId: "getMe",
  summary: "The token's owner, team, role there now and scopes",
  tag: "Account",
  procedures: ["teams.current"],
  response: meSchema,
  async handle({ caller, token }) {
    const team = await caller.teams.current();
    return { user: { id: token.user.id, email: token.user.email, name: token.user.name }, team: { id: team.id, name: team.name, personal: team.personal }, role: team.role, scopes: token.scopes, tokenExpiresAt: iso(token.expiresAt) };
  },
});

const teams = defineRoute({
  method: "GET",
  path: "/teams",
  operationId: "listTeams",
  summary: "The token's team (a token sees only its own team)",
  tag: "Account",
  procedures: ["teams.current"],
  response: z.object({ teams: z.array(teamSchema) }),
  async handle({ caller }) {
    const t = await caller.teams.current();
    return { teams: [{ id: t.id, name: t.name, personal: t.personal, role: t.role }] };
  },
});

export const accountRoutes = [me, teams];
