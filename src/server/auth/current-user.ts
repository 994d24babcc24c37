import type { Services } from "../runtime/services";
import { inSudoMode } from "./require-sudo";
import type { ResolvedCaller } from "./resolve-caller";

/** The signed-in user as the dashboard shows it (auth.me), or null for a visitor. */
export function currentUser(deps: Pick<Services, "now">, caller: ResolvedCaller) {
  if (!caller.user || !caller.session) return null;
  return { ...caller.user, twoFactor: caller.session.twoFactor, sudo: inSudoMode(caller.session, deps.now()) };
}
