import type { Permission } from "../teams/roles";

/**
 * What an API token may be used for (docs/api.md). A token's scopes are intersected with its
 * owner's current role in the token's team (roles.ts): a scope never grants more than the role.
 * No zod here: the token form (src/app/settings/tokens) imports this file into the browser, and the
 * schema of a scope name sits with the input that uses it (token-input.ts).
 */
export const TOKEN_SCOPES = {
  "apps:read": "list and read apps and their deployments",
  "apps:write": "create and delete apps",
  "apps:deploy": "deploy, restart, stop, start and roll back apps",
  "env:read": "list environment variables, with their values (needs a role that may read secrets)",
  "env:write": "set and delete environment variables",
  "logs:read": "read build and runtime logs, live",
  "domains:read": "list custom domains",
  "domains:write": "add and remove custom domains",
  admin: "everything the owner's role allows, including the other scopes",
} as const;
export type TokenScope = keyof typeof TOKEN_SCOPES;
export const TOKEN_SCOPE_NAMES = Object.keys(TOKEN_SCOPES) as [TokenScope, ...TokenScope[]];

/**
 * The scope each tRPC procedure needs when it is called with a token, one row per procedure the
 * public API (src/server/public-api/routes.ts) calls. A procedure without a row here can be called
 * with a token only under the `admin` scope; the procedure's own row in
 * src/server/teams/procedure-access.ts (the role) is checked as well, always.
 */
export const PROCEDURE_SCOPES: Record<string, TokenScope | "any"> = {
  /** Who the token is: every token may ask. */
  "teams.current": "any",
  "apps.list": "apps:read",
  "apps.get": "apps:read",
  "apps.create": "apps:write",
  "apps.delete": "apps:write",
  "apps.deploy": "apps:deploy",
  "apps.redeploy": "apps:deploy",
  "apps.restart": "apps:deploy",
  "apps.stop": "apps:deploy",
  "apps.start": "apps:deploy",
  "apps.rollback": "apps:deploy",
  "apps.runtimeLogs": "logs:read",
  "apps.onRuntimeLogs": "logs:read",
  "deployments.list": "apps:read",
  "deployments.get": "apps:read",
  "deployments.buildLogs": "logs:read",
  "deployments.onBuildLog": "logs:read",
  "envVars.list": "env:read",
  "envVars.reveal": "env:read",
  "envVars.set": "env:write",
  "envVars.delete": "env:write",
  "domains.list": "domains:read",
  "domains.create": "domains:write",
  "domains.delete": "domains:write",
};

/** The scope a procedure needs with a token: its row, or `admin` when it has none. */
export function scopeForProcedure(path: string): TokenScope | "any" {
  return Object.hasOwn(PROCEDURE_SCOPES, path) ? PROCEDURE_SCOPES[path]! : "admin";
}

export function scopesAllow(scopes: readonly string[], needed: TokenScope | "any"): boolean {
  return needed === "any" || scopes.includes("admin") || scopes.includes(needed);
}

/**
 * The role permission a scope is worth anything with (roles.ts): a token is not created with a
 * scope its owner's role could never use. At use time the procedure's own row decides.
 */
export const SCOPE_NEEDS: Record<TokenScope, Permission> = {
  "apps:read": "team:read",
  "apps:write": "apps:manage",
  "apps:deploy": "apps:deploy",
  "env:read": "team:read",
  "env:write": "env:write",
  "logs:read": "team:read",
  "domains:read": "team:read",
  "domains:write": "domains:write",
  admin: "team:read",
};
