import { appRouter } from "../trpc/root";
import { createCallerFactory } from "../trpc/trpc";

/** The dashboard's router, called in-process as an API token (trpc.ts checks the token on each procedure). */
export const createApiCaller = createCallerFactory(appRouter);
export type ApiCaller = ReturnType<typeof createApiCaller>;
