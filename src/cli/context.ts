import { readFileSync } from "node:fs";
import { ApiClient } from "./api-client";
import { ConfigStore, configPath, type CliEnv } from "./config-store";
import { resolveCredentials, type Credentials } from "./credentials";
import { Output, type Sink } from "./output";

/** The process around a command; tests/cli/ swap it for their own. */
export interface Io {
  env: CliEnv;
  stdout: Sink;
  stderr: Sink;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export const CLI_VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** What every command gets: its output, the stored login, and an API client built on first use. */
export class Context {
  readonly out: Output;
  readonly store: ConfigStore;
  private cached?: ApiClient;

  constructor(
    readonly io: Io,
    json: boolean,
  ) {
    this.out = new Output(json, io.stdout, io.stderr);
    this.store = new ConfigStore(configPath(io.env));
  }

  client(): ApiClient {
    this.cached ??= this.clientFor(resolveCredentials(this.io.env, this.store, (line) => this.out.info(line)));
    return this.cached;
  }

  clientFor(credentials: Credentials): ApiClient {
    return new ApiClient(credentials, `wisehosting-cli/${CLI_VERSION} node/${process.versions.node}`);
  }
}

/** The `{app}` path segment: an app's id or its name in the token's team (docs/api.md). */
export const appPath = (app: string) => `/apps/${encodeURIComponent(app)}`;

export const appNotFound = (app: string) => `No app "${app}" in this token's team: run wh apps to list the apps it can see.`;
