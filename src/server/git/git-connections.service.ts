import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { cipherContext } from "../crypto/secret-cipher";
import { DomainError, notFound, validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { signOAuthState, verifyOAuthState } from "./oauth-state";
import { REPO_FULL_NAME } from "./providers/provider-http";
import { callbackUrl, isConfigured, PROVIDERS, providerSettings } from "./providers/provider-registry";
import { GIT_PROVIDERS, type GitProviderId, type OAuthTokens } from "./providers/provider-types";
import type { Tx } from "../apps/app-access";
import { teamWhere } from "../teams/team-scope";

type Deps = Pick<Services, "db" | "config" | "cipher">;

export const providerInput = z.object({ provider: z.enum(GIT_PROVIDERS) });
export const providerBranchesInput = providerInput.extend({ repo: z.string().max(300) });

function configuredProvider(deps: Pick<Services, "config">, id: GitProviderId) {
  const provider = PROVIDERS[id];
  if (!isConfigured(deps.config, provider)) {
    throw new DomainError("PRECONDITION_FAILED", `${provider.label} is not set up on this platform (the operator has to configure its OAuth app).`);
  }
  return provider;
}

/** Every provider with whether the operator configured it and whether the current team linked it. */
export async function listConnections(deps: Pick<Services, "db" | "config">, actor: Pick<Actor, "userId" | "team">) {
  const rows = await deps.db.gitProviderToken.findMany({ where: teamWhere(actor) });
  return GIT_PROVIDERS.map((id) => {
    const row = rows.find((r) => r.provider === id);
    return {
      id,
      label: PROVIDERS[id].label,
      configured: isConfigured(deps.config, PROVIDERS[id]),
      setup: providerSettings(deps.config, id),
      connected: !!row,
      username: row?.username ?? null,
      connectedAt: row?.createdAt ?? null,
    };
  });
}

/** The provider's authorize URL and the nonce the route keeps in a cookie until the callback. */
export function beginConnect(deps: Pick<Services, "config">, actor: Pick<Actor, "userId" | "team">, { provider: id }: z.infer<typeof providerInput>) {
  const provider = configuredProvider(deps, id);
  const { state, nonce } = signOAuthState(deps.config.APP_SECRET, actor.userId, id);
  return { url: provider.authorizeUrl(deps.config, { state, redirectUri: callbackUrl(deps.config, id) }), nonce };
}

export async function completeConnect(
  deps: Deps,
  actor: Pick<Actor, "userId" | "team" | "audit">,
  params: z.infer<typeof providerInput> & { code: string | null; state: string | null; nonce: string | undefined },
) {
  const id = params.provider;
  const provider = configuredProvider(deps, id);
  if (!params.code || !params.state || !verifyOAuthState(deps.config.APP_SECRET, params.state, { userId: actor.userId, provider: id, nonce: params.nonce })) {
    throw validation(`The ${provider.label} sign-in could not be confirmed (expired or started elsewhere). Start connecting again.`);
  }
  const tokens = await provider.exchangeCode(deps.config, { code: params.code, redirectUri: callbackUrl(deps.config, id) }).catch((err: Error) => {
    if (err instanceof DomainError) throw err;
    throw validation(`${provider.label} did not accept the sign-in: ${err.message.slice(0, 200)}. Start connecting again.`);
  });
  const username = await provider.username(deps.config, tokens.accessToken);
  await saveTokens(deps, actor, id, tokens, username);
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "git_token_connect", context: actor.audit, targetType: "git_provider", targetId: id, metadata: { username } });
  return { provider: id, username };
}

export async function revokeConnection(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team" | "audit">, { provider: id }: z.infer<typeof providerInput>) {
  const deleted = await deps.db.gitProviderToken.deleteMany({ where: { ...teamWhere(actor), provider: id } });
  if (deleted.count === 0) throw notFound(`${PROVIDERS[id].label} connection`);
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "git_token_revoke", context: actor.audit, targetType: "git_provider", targetId: id });
  return { provider: id };
}

function encryptedTokens(deps: Pick<Services, "cipher">, userId: number, id: GitProviderId, tokens: OAuthTokens) {
  const context = cipherContext.gitToken(userId, id);
  return {
    token: deps.cipher.encrypt(tokens.accessToken, context),
    refreshToken: tokens.refreshToken ? deps.cipher.encrypt(tokens.refreshToken, `${context}:refresh`) : null,
    scopes: tokens.scopes,
    expiresAt: tokens.expiresAt,
  };
}

/** One link per team and provider; the tokens are encrypted for the member who linked them. */
async function saveTokens(deps: Deps, actor: Pick<Actor, "userId" | "team">, id: GitProviderId, tokens: OAuthTokens, username: string) {
  const userId = actor.userId;
  const data = { userId, username, ...encryptedTokens(deps, userId, id, tokens) };
  await deps.db.gitProviderToken.upsert({
    where: { teamId_provider: { teamId: actor.team.id, provider: id } },
    create: { teamId: actor.team.id, provider: id, ...data },
    update: data,
  });
}

/** Refresh this long before expiry, so a token does not expire mid-request. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The team's access token, refreshed first when the provider issued an expiring one. The row is
 * locked while refreshing: providers that rotate refresh tokens accept each one only once.
 */
async function tokenFor(deps: Deps, actor: Pick<Actor, "userId" | "team">, id: GitProviderId): Promise<string> {
  const row = await deps.db.gitProviderToken.findFirst({ where: { ...teamWhere(actor), provider: id } });
  if (!row) throw new DomainError("PRECONDITION_FAILED", `Connect ${PROVIDERS[id].label} first, or paste the repository URL.`);
  // Encrypted for the member who linked the provider (saveTokens).
  const context = cipherContext.gitToken(row.userId, id);
  const fresh = (r: { expiresAt: Date | null }) => !r.expiresAt || r.expiresAt.getTime() - REFRESH_MARGIN_MS > Date.now();
  if (fresh(row)) return deps.cipher.decrypt(row.token, context);
  if (!row.refreshToken) {
    throw new DomainError("PRECONDITION_FAILED", `Your ${PROVIDERS[id].label} connection expired. Disconnect and connect ${PROVIDERS[id].label} again.`);
  }
  return deps.db.$transaction(async (tx: Tx) => {
    await tx.$queryRaw`SELECT id FROM git_provider_tokens WHERE id = ${row.id} FOR UPDATE`;
    const current = await tx.gitProviderToken.findUniqueOrThrow({ where: { id: row.id } });
    if (fresh(current)) return deps.cipher.decrypt(current.token, context);
    const refreshToken = deps.cipher.decrypt(current.refreshToken ?? "", `${context}:refresh`);
    const tokens = await PROVIDERS[id].refresh(deps.config, refreshToken).catch((err: Error) => {
      if (err instanceof DomainError) throw err;
      throw new DomainError("PRECONDITION_FAILED", `${PROVIDERS[id].label} refused to renew the connection. Disconnect and connect ${PROVIDERS[id].label} again.`);
    });
    await tx.gitProviderToken.update({
      where: { id: row.id },
      data: encryptedTokens(deps, row.userId, id, { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken }),
    });
    return tokens.accessToken;
  });
}

export async function listProviderRepos(deps: Deps, actor: Pick<Actor, "userId" | "team">, { provider: id }: z.infer<typeof providerInput>) {
  const provider = configuredProvider(deps, id);
  return provider.repos(deps.config, await tokenFor(deps, actor, id));
}

export async function listProviderBranches(deps: Deps, actor: Pick<Actor, "userId" | "team">, { provider: id, repo: fullName }: z.infer<typeof providerBranchesInput>) {
  if (!REPO_FULL_NAME.test(fullName) || fullName.split("/").some((p) => p === "." || p === "..")) {
    throw validation("Repository must be given as owner/name.");
  }
  const provider = configuredProvider(deps, id);
  return provider.branches(deps.config, await tokenFor(deps, actor, id), fullName);
}
