import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { deriveKey, KEY_PURPOSES } from "../crypto/hkdf";

/** Worker JWTs live 15 minutes; workers refresh about 2 minutes before `exp`. */
export const WORKER_JWT_TTL_SECONDS = 900;
export const WORKER_JWT_REFRESH_SKEW_SECONDS = 120;
/** The only algorithm accepted: `alg:none` and asymmetric algorithms are refused by jose. */
const ALGORITHMS = ["HS256"];

export interface WorkerJwtClaims {
  workerId: number;
  keyHash: string;
  exp: number;
}

export class WorkerJwtSigner {
  private readonly key: Uint8Array;

  constructor(masterSecret: string) {
    this.key = new Uint8Array(deriveKey(masterSecret, KEY_PURPOSES.workerJwt, 32));
  }

  /** A JWT bound to the worker's current api_key_hash (`kh`), so rotating the key voids it. */
  async sign(workerId: number, apiKeyHash: string, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + WORKER_JWT_TTL_SECONDS;
    const token = await new SignJWT({ kh: apiKeyHash })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(String(workerId))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomBytes(12).toString("base64url"))
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a valid, unexpired token, or undefined (never throws for a bad token). */
  async verify(token: string): Promise<WorkerJwtClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ALGORITHMS, clockTolerance: 0 });
      const workerId = Number(payload.sub);
      const kh = payload.kh;
      if (!Number.isSafeInteger(workerId) || workerId < 1 || String(workerId) !== payload.sub) return undefined;
      if (typeof kh !== "string" || typeof payload.exp !== "number") return undefined;
      return { workerId, keyHash: kh, exp: payload.exp };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return undefined;
      throw err;
    }
  }
}

/** JWT-shaped tokens have exactly three dot-separated segments; raw API keys have none. */
export function looksLikeJwt(token: string): boolean {
  return token.split(".").length === 3;
}
