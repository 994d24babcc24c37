import type { ApiRoute } from "./api-route";
import { accountRoutes } from "./routes/account-routes";
import { appsRoutes } from "./routes/apps-routes";
import { deploymentsRoutes } from "./routes/deployments-routes";
import { domainsRoutes } from "./routes/domains-routes";
import { envRoutes } from "./routes/env-routes";

/** Every route of /api/v1 (docs/api.md); the OpenAPI document and the role matrix test walk this list. */
export const API_ROUTES: ApiRoute[] = [...accountRoutes, ...appsRoutes, ...deploymentsRoutes, ...envRoutes, ...domainsRoutes];
