// zod/mini: the team pages and the token form import the roles into the browser, and classic zod's
// API would add 10 KiB to each of their first loads (bench:web, docs/performance.md).
import { z } from "zod/mini";

/** A member's role in a team, most powerful first (docs/teams.md). */
export const TEAM_ROLES = ["owner", "admin", "developer", "viewer"] as const;
export const teamRoleSchema = z.enum(TEAM_ROLES);
export type TeamRole = z.infer<typeof teamRoleSchema>;

/**
 * What a role may do in its team. This table is the role matrix of docs/teams.md (a test checks
 * the two agree); procedures name the permission they need in procedure-access.ts, and nothing
 * else decides. A future API token carries scopes that are intersected with its owner's role here.
 */
export const PERMISSIONS = {
  "team:read": "see the team, its members, apps, deployments, logs, usage and audit log",
  "apps:deploy": "deploy, redeploy, roll back, restart, start and stop apps",
  "env:write": "read secret values, set, delete and import environment variables",
  "domains:write": "add, verify and remove custom domains",
  "apps:manage": "create and delete apps, change their settings, auto-deploy and push-webhook secrets",
  "alerts:write": "acknowledge and resolve alerts, change alert rules",
  "webhooks:write": "see webhook secrets, create, change, test and delete outbound webhooks",
  "git:manage": "link and unlink git providers, list their repositories",
  "members:manage": "invite people, change roles below owner, remove members, revoke invitations",
  "team:settings": "rename the team",
  "team:owner": "transfer ownership, grant the owner role, delete the team, the plan",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const VIEWER: Permission[] = ["team:read"];
const DEVELOPER: Permission[] = [...VIEWER, "apps:deploy", "env:write", "domains:write"];
const ADMIN: Permission[] = [...DEVELOPER, "apps:manage", "alerts:write", "webhooks:write", "git:manage", "members:manage", "team:settings"];
const OWNER: Permission[] = [...ADMIN, "team:owner"];

export const ROLE_PERMISSIONS: Record<TeamRole, ReadonlySet<Permission>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  developer: new Set(DEVELOPER),
  viewer: new Set(VIEWER),
};

export function roleAllows(role: TeamRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** The roles that have a permission, for "ask an owner or admin" messages. */
export function rolesWith(permission: Permission): TeamRole[] {
  return TEAM_ROLES.filter((r) => roleAllows(r, permission));
}
