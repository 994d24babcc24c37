import { z } from "zod";
import { TOKEN_SCOPE_NAMES } from "./scopes";

// Beside the input rather than in scopes.ts, which the token form loads in the browser (bench:web).
const tokenScopeSchema = z.enum(TOKEN_SCOPE_NAMES);

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name, e.g. the pipeline that uses it.").max(80, "Keep the name under 80 characters."),
  teamId: z.number().int().positive(),
  scopes: z.array(tokenScopeSchema).min(1, "Choose at least one scope.").max(20),
  /** Days until it expires; null for a token that does not expire. */
  expiresInDays: z.number().int().min(1, "Expiry is at least 1 day.").max(3650, "Expiry is at most 3650 days; choose no expiry instead.").nullable(),
});

export const tokenIdInput = z.object({ id: z.number().int().positive() });
