import { hash, verify } from "@node-rs/argon2";

// argon2id (algorithm 2) with the OWASP-recommended minimum: 19 MiB, 2 passes, 1 lane.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(plain: string): Promise<string> {
  return hash(plain, OPTIONS);
}

export async function verifySecret(stored: string, plain: string): Promise<boolean> {
  try {
    return await verify(stored, plain);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as a real verification when there is no account (or no password), so
 * response time does not tell which emails are registered.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummy ??= hashSecret("wisehosting-dummy-password-for-timing");
  await verifySecret(await dummy, plain);
  return false;
}
