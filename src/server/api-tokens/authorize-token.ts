import { DomainError } from "../errors/domain-errors";
import { authorizeProcedure } from "../teams/authorize";
import { scopeForProcedure, scopesAllow, TOKEN_SCOPES } from "./scopes";
import type { TokenCaller } from "./token-caller";

/**
 * A token may call a procedure when its scopes cover it (scopes.ts) and its owner's current role
 * allows it (the procedure's row in src/server/teams/procedure-access.ts, as for the dashboard).
 * Called by the procedures' middleware (src/server/trpc/trpc.ts) and by the API's live streams.
 */
export function authorizeToken(token: Pick<TokenCaller, "scopes" | "tokenName" | "actor">, path: string): void {
  const needed = scopeForProcedure(path);
  if (needed !== "any" && !scopesAllow(token.scopes, needed)) {
    throw new DomainError(
      "FORBIDDEN",
      `This token (${token.tokenName}) does not have the ${needed} scope (${TOKEN_SCOPES[needed]}); it has ${token.scopes.join(", ") || "none"}. Create a token with ${needed}.`,
      { scope: needed },
    );
  }
  authorizeProcedure(token.actor, path);
}
