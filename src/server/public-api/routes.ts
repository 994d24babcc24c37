import type { ApiRoute } from "./api-route";
import { accountRoutes } from "./routes/account-routes";
import { appsRoutes } from "./routes/apps-routes";

/** Every route of /api/v1 (docs/api.md); the OpenAPI document and the role matrix test walk this list. */
export const API_ROUTES: ApiRoute[] = [...accountRoutes, ...appsRoutes];
