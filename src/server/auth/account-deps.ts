import type { Services } from "../runtime/services";

/** What the account services (sign-up, sign-in, 2FA, sessions) need; tests build it with their own clock and limiter. */
export type AccountDeps = Pick<Services, "db" | "config" | "log" | "cipher" | "queue" | "events" | "limiter" | "now" | "bus">;
