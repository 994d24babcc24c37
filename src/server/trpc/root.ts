import { router } from "./trpc";
import { authRouter } from "./routers/auth.router";
import { sessionsRouter } from "./routers/sessions.router";
import { twoFactorRouter } from "./routers/twoFactor.router";
import { auditRouter } from "./routers/audit.router";
import { accountRouter } from "./routers/account.router";
import { statusRouter } from "./routers/status.router";
import { appsRouter } from "./routers/apps.router";
import { deploymentsRouter } from "./routers/deployments.router";
import { envVarsRouter } from "./routers/env-vars.router";
import { domainsRouter } from "./routers/domains.router";
import { gitProvidersRouter } from "./routers/git-providers.router";
import { alertsRouter } from "./routers/alerts.router";
import { webhooksRouter } from "./routers/webhooks.router";
import { usageRouter } from "./routers/usage.router";
import { adminRouter } from "./routers/admin.router";
import { devMailRouter } from "./routers/dev-mail.router";
import { setupRouter } from "./routers/setup.router";
import { teamsRouter } from "./routers/teams.router";
import { apiTokensRouter } from "./routers/api-tokens.router";

/** Every router the dashboard uses. Add one line per router. */
export const appRouter = router({
  auth: authRouter,
  sessions: sessionsRouter,
  twoFactor: twoFactorRouter,
  audit: auditRouter,
  account: accountRouter,
  status: statusRouter,
  apps: appsRouter,
  deployments: deploymentsRouter,
  envVars: envVarsRouter,
  domains: domainsRouter,
  gitProviders: gitProvidersRouter,
  alerts: alertsRouter,
  webhooks: webhooksRouter,
  usage: usageRouter,
  admin: adminRouter,
  devMail: devMailRouter,
  setup: setupRouter,
  teams: teamsRouter,
  apiTokens: apiTokensRouter,
});

export type AppRouter = typeof appRouter;
