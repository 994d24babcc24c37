import type { LimitCheck } from "../rate-limit/enforce-limits";

/**
 * Per-account windows are short (5 minutes): enough to stop guessing from many IPs, too short
 * for an attacker to keep the real user locked out for long. Per-IP windows are wider.
 */
const ACCOUNT = { limit: 10, windowSeconds: 300 };
// Offices and NATs share one address: generous, but still far below what guessing needs.
const IP = { limit: 100, windowSeconds: 600 };

export const signInAccountKey = (email: string) => `signin:account:${email}`;

export const signInLimits = (email: string, ip: string): LimitCheck[] => [
  { key: signInAccountKey(email), rule: ACCOUNT },
  { key: `signin:ip:${ip || "unknown"}`, rule: IP },
];

export const signUpLimits = (ip: string): LimitCheck[] => [{ key: `signup:ip:${ip || "unknown"}`, rule: { limit: 20, windowSeconds: 3600 } }];

export const secondFactorLimits = (userId: number, ip: string): LimitCheck[] => [
  { key: `2fa:account:${userId}`, rule: ACCOUNT },
  { key: `2fa:ip:${ip || "unknown"}`, rule: IP },
];

export const reauthLimits = (userId: number, ip: string): LimitCheck[] => [
  { key: `reauth:account:${userId}`, rule: ACCOUNT },
  { key: `reauth:ip:${ip || "unknown"}`, rule: IP },
];
