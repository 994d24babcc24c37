import { generateApiKey } from "../../protocol/api-key";
import type { AgentConfig } from "../config/agent-config";
import type { AgentLogger } from "../logger";
import { CredentialsStore } from "../state/credentials-store";
import { HubHttpClient, HubHttpError, type IssuedToken } from "./hub-http";

/** A hub answer that retrying cannot fix: the operator must act. */
export class FatalAuthError extends Error {
  override name = "FatalAuthError";
}

/**
 * Who this agent is to the hub: the long-lived API key (kept in the state directory, 0600) and
 * the short-lived JWT minted from it.
 */
export class WorkerIdentity {
  private key: string | null = null;
  private workerId: number | string | null = null;
  private readonly store: CredentialsStore;
  private readonly http: HubHttpClient;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: AgentLogger,
  ) {
    this.store = new CredentialsStore(config.stateDir);
    this.http = new HubHttpClient(config.hubUrl);
  }

  get apiKey(): string {
    if (!this.key) throw new Error("identity not established yet");
    return this.key;
  }

  get id(): number | string | null {
    return this.workerId;
  }

  /**
   * Reuses a registration when the hub still honours the key (the one given with --api-key, e.g.
   * after an operator rotated it, else the stored one), otherwise registers; returns a fresh JWT.
   */
  async establish(): Promise<IssuedToken> {
    const stored = await this.store.load();
    const storedKey = stored && stored.name === this.config.name ? stored.apiKey : undefined;
    const key = this.config.apiKey ?? storedKey;
    if (key) {
      try {
        const token = await this.http.refresh(key);
        this.key = key;
        this.workerId = key === storedKey ? (stored?.workerId ?? null) : null;
        if (key !== storedKey) await this.store.save({ name: this.config.name, apiKey: key });
        this.log.info({ worker: this.config.name }, "reusing the existing registration");
        return token;
      } catch (err) {
        if (!(err instanceof HubHttpError && (err.status === 401 || err.status === 404))) throw err;
        this.log.warn("the hub does not accept this worker's API key; registering");
      }
    }
    return this.register(key ?? generateApiKey(32));
  }

  /**
   * A new JWT from the API key (refresh about 2 minutes before expiry). A 401 here means the key
   * was rotated or the worker deleted: re-registering with the old key would undo an operator's
   * rotation, so it is final (docs/worker-protocol.md).
   */
  async refresh(): Promise<IssuedToken> {
    try {
      return await this.http.refresh(this.apiKey);
    } catch (err) {
      if (err instanceof HubHttpError && err.status === 401) {
        throw new FatalAuthError(
          "the hub no longer accepts this worker's API key (rotated or worker deleted): set WORKER_API_KEY (or --api-key) to the new key the operator was given and restart the agent",
        );
      }
      throw err;
    }
  }

  private async register(apiKey: string): Promise<IssuedToken> {
    const token = this.config.registrationToken;
    if (!token) {
      throw new FatalAuthError(
        "this agent has no registration with the hub: pass --registration-token (or set WORKER_REGISTRATION_TOKEN) once to register",
      );
    }
    try {
      const issued = await this.http.register(token, {
        name: this.config.name,
        ip: this.config.ip,
        api_key: apiKey,
        zone: this.config.zone,
        region_name: this.config.regionName,
        cap_cpu: this.config.capCpu,
        cap_mem: this.config.capMem,
        ...(this.config.wireguardIp ? { wireguard_ip: this.config.wireguardIp } : {}),
      });
      this.key = apiKey;
      this.workerId = issued.workerId;
      await this.store.save({ name: this.config.name, apiKey, workerId: issued.workerId });
      this.log.info({ worker: this.config.name, workerId: issued.workerId }, "registered with the hub");
      return issued;
    } catch (err) {
      if (err instanceof HubHttpError && (err.status === 401 || err.status === 400 || err.status === 409)) {
        throw new FatalAuthError(`registration refused (${err.code}): ${err.message}`);
      }
      throw err;
    }
  }
}
