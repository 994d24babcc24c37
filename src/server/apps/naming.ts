import { randomInt, randomUUID } from "node:crypto";
import { ADJECTIVES, NOUNS } from "./name-words";

export const APP_NAME_MIN = 7;
export const APP_NAME_MAX = 32;

/** Names that would collide with platform hosts, routes or well-known services. */
export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set([
  "account", "accounts", "admin", "administrator", "api", "app", "apps", "assets", "billing",
  "blog", "cdn", "console", "dashboard", "default", "docs", "example", "ftp", "git", "help",
  "hostmaster", "imap", "internal", "localhost", "login", "logout", "mail", "metrics", "mx",
  "ns1", "ns2", "pop", "postmaster", "proxy", "root", "settings", "signin", "signup", "smtp",
  "static", "status", "support", "system", "traefik", "webmail", "webmaster", "wisehosting",
  "workers", "www",
  "wisehost", "platform", "registry", "healthz", "security",
]);

export class InvalidAppNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidAppNameError";
  }
}

/** Returns a message saying what is wrong with the name, or null when it is acceptable. */
export function appNameProblem(name: string): string | null {
  if (name.length < APP_NAME_MIN || name.length > APP_NAME_MAX) {
    return `App name must be ${APP_NAME_MIN}–${APP_NAME_MAX} characters long (got ${name.length}).`;
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    return "App name may contain only lower-case letters a–z, digits and hyphens.";
  }
  if (name.startsWith("-") || name.endsWith("-")) {
    return "App name cannot start or end with a hyphen.";
  }
  if (name.includes("--")) {
    return "App name cannot contain two hyphens in a row.";
  }
  if (RESERVED_APP_NAMES.has(name)) {
    return `"${name}" is reserved; choose another name.`;
  }
  return null;
}

/** Throws InvalidAppNameError with a message the user can act on. */
export function validateAppNameInput(name: string): void {
  const problem = appNameProblem(name);
  if (problem) throw new InvalidAppNameError(problem);
}

/** A random (v4) UUID. */
export function newAppUuid(): string {
  return randomUUID();
}

/** adjective-noun-NNNN, always a valid name. */
export function generateAppName(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const noun = NOUNS[randomInt(NOUNS.length)];
  const digits = String(randomInt(10_000)).padStart(4, "0");
  return `${adjective}-${noun}-${digits}`;
}
