import type { Permission } from "./roles";

/**
 * Who may call each tRPC procedure, in one table (docs/teams.md). The procedures' middleware
 * (src/server/trpc/trpc.ts) enforces the row of the procedure being called, so no procedure checks
 * roles by hand; a procedure without a row is refused, and tests/teams/role-matrix.test.ts fails.
 *
 * - "public": anyone, signed in or not;
 * - "signed-in": any signed-in user, about their own account (not team data);
 * - "platform-admin": platform administrators;
 * - a Permission: a member of the caller's current team whose role has it (roles.ts).
 */
export type ProcedureAccess = "public" | "signed-in" | "platform-admin" | Permission;

export const PROCEDURE_ACCESS: Record<string, ProcedureAccess> = {
  "auth.me": "public",
  "auth.signUp": "public",
  "auth.signIn": "public",
  "auth.pendingChallenge": "public",
  "auth.completeTwoFactor": "public",
  "auth.signOut": "public",
  "auth.reauth": "signed-in",
  "setup.claim": "public",
  "status.overview": "public",
  "devMail.list": "public",
  "devMail.get": "public",

  "sessions.list": "signed-in",
  "sessions.revoke": "signed-in",
  "sessions.revokeOthers": "signed-in",
  "twoFactor.status": "signed-in",
  "twoFactor.beginSetup": "signed-in",
  "twoFactor.enable": "signed-in",
  "twoFactor.disable": "signed-in",
  "twoFactor.regenerateBackupCodes": "signed-in",
  "audit.list": "signed-in",
  "account.overview": "signed-in",
  "account.changePassword": "signed-in",
  "account.changeEmail": "signed-in",
  "account.cancelEmailChange": "signed-in",
  "account.resendVerification": "signed-in",

  "teams.list": "signed-in",
  "teams.current": "signed-in",
  "teams.create": "signed-in",
  "teams.switch": "signed-in",
  "teams.leave": "signed-in",
  "teams.invitation": "signed-in",
  "teams.acceptInvitation": "signed-in",
  "teams.members": "team:read",
  "teams.invitations": "members:manage",
  "teams.invite": "members:manage",
  "teams.revokeInvitation": "members:manage",
  "teams.changeRole": "members:manage",
  "teams.removeMember": "members:manage",
  "teams.rename": "team:settings",
  "teams.transferOwnership": "team:owner",
  "teams.delete": "team:owner",
  "audit.team": "team:read",

  // The caller's own tokens; create checks membership of the token's team (src/server/api-tokens).
  "apiTokens.list": "signed-in",
  "apiTokens.create": "signed-in",
  "apiTokens.revoke": "signed-in",

  "admin.workers": "platform-admin",

  "apps.list": "team:read",
  "apps.get": "team:read",
  "apps.overview": "team:read",
  "apps.newAppDefaults": "team:read",
  "apps.checkName": "team:read",
  "apps.runtimeLogs": "team:read",
  "apps.onRuntimeLogs": "team:read",
  "apps.logRuns": "team:read",
  "apps.onDeployProgress": "team:read",
  "apps.onStatus": "team:read",
  "apps.autoDeploy": "apps:manage",
  "apps.deploy": "apps:deploy",
  "apps.redeploy": "apps:deploy",
  "apps.rollback": "apps:deploy",
  "apps.cancelDeployment": "apps:deploy",
  "apps.restart": "apps:deploy",
  "apps.start": "apps:deploy",
  "apps.stop": "apps:deploy",
  "apps.create": "apps:manage",
  "apps.delete": "apps:manage",
  "apps.updateSpec": "apps:manage",
  "apps.setAutoDeploy": "apps:manage",
  "apps.rotateWebhookSecret": "apps:manage",

  "deployments.list": "team:read",
  "deployments.recent": "team:read",
  "deployments.get": "team:read",
  "deployments.buildLogs": "team:read",
  "deployments.latestBuildLogs": "team:read",
  "deployments.onBuildLog": "team:read",

  "envVars.list": "team:read",
  "envVars.reveal": "env:write",
  "envVars.set": "env:write",
  "envVars.delete": "env:write",
  "envVars.importDotenv": "env:write",

  "domains.list": "team:read",
  "domains.get": "team:read",
  "domains.create": "domains:write",
  "domains.verify": "domains:write",
  "domains.delete": "domains:write",

  "gitProviders.list": "team:read",
  "gitProviders.revoke": "git:manage",
  "gitProviders.repos": "git:manage",
  "gitProviders.branches": "git:manage",

  "alerts.list": "team:read",
  "alerts.rules": "team:read",
  "alerts.acknowledge": "alerts:write",
  "alerts.resolve": "alerts:write",
  "alerts.updateRule": "alerts:write",

  "webhooks.catalogue": "public",
  "webhooks.list": "team:read",
  "webhooks.stats": "team:read",
  "webhooks.deliveries": "team:read",
  "webhooks.create": "webhooks:write",
  "webhooks.update": "webhooks:write",
  "webhooks.delete": "webhooks:write",
  "webhooks.revealSecret": "webhooks:write",
  "webhooks.rotateSecret": "webhooks:write",
  "webhooks.retryDelivery": "webhooks:write",
  "webhooks.sendTest": "webhooks:write",

  "usage.series": "team:read",
  "usage.live": "team:read",
};

/**
 * Route handlers outside tRPC that act on team data, keyed by a name the handler passes to
 * authorizeRoute (authorize.ts); the same matrix applies.
 */
export const ROUTE_ACCESS = {
  "git.connect": "git:manage",
  "git.callback": "git:manage",
} as const satisfies Record<string, ProcedureAccess>;
export type RouteName = keyof typeof ROUTE_ACCESS;

export function accessFor(path: string): ProcedureAccess | undefined {
  return Object.hasOwn(PROCEDURE_ACCESS, path) ? PROCEDURE_ACCESS[path] : undefined;
}
