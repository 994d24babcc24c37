import { timingSafeEqual } from "node:crypto";
import { frameKeyFromHash, hashApiKey } from "../../protocol/api-key";
import type { WorkerJwtSigner } from "./worker-jwt";
import { looksLikeJwt } from "./worker-jwt";
import type { WorkerIdentity, WorkerLookup } from "./worker-lookup";

export interface AuthenticatedWorker {
  worker: WorkerIdentity;
  /** K: the 32 raw bytes of sha256(api key), the HMAC key for frames. */
  frameKey: Buffer;
  via: "jwt" | "api_key";
}

function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Resolves a bearer token to a worker.
 * JWT path: signature, expiry, the worker exists, `kh` equals its current hash (constant time).
 * Raw-key path: hashed once, looked up by hash, compared in constant time.
 * Any failure is undefined: callers answer 401 without saying which check failed.
 */
export class WorkerAuthenticator {
  constructor(
    private readonly jwt: WorkerJwtSigner,
    private readonly lookup: WorkerLookup,
  ) {}

  async authenticate(token: string | undefined): Promise<AuthenticatedWorker | undefined> {
    if (!token || token.length > 4096) return undefined;
    if (looksLikeJwt(token)) {
      const claims = await this.jwt.verify(token);
      if (!claims) return undefined;
      const worker = await this.lookup.byId(claims.workerId);
      if (!worker || !hashesEqual(claims.keyHash, worker.apiKeyHash)) return undefined;
      return { worker, frameKey: frameKeyFromHash(worker.apiKeyHash), via: "jwt" };
    }
    return this.authenticateApiKey(token);
  }

  /** The raw-key path only (refresh-token accepts nothing else). */
  async authenticateApiKey(rawKey: string | undefined): Promise<AuthenticatedWorker | undefined> {
    if (!rawKey || rawKey.length > 4096 || looksLikeJwt(rawKey)) return undefined;
    const hash = hashApiKey(rawKey);
    const worker = await this.lookup.byKeyHash(hash);
    if (!worker || !hashesEqual(hash, worker.apiKeyHash)) return undefined;
    return { worker, frameKey: frameKeyFromHash(hash), via: "api_key" };
  }
}
