import type { EngineName } from "./engine";

/**
 * The network of an image build's RUN steps. Podman's Docker-compatible POST /build runs them in
 * the host's network namespace unless `nsoptions` asks for a private one, which would let an
 * app's install scripts reach every service the host binds on loopback (the hub, Postgres, the
 * agent's engine socket is a file but its HTTP peers are not). A private namespace keeps the
 * registry reachable through the engine's NAT, as a running app's container reaches the
 * internet (tests/container/build-trust.test.ts). Docker's builder already uses its bridge.
 */
export function buildNetworkParams(engine: EngineName): Record<string, string> {
  return engine === "podman" ? { nsoptions: JSON.stringify([{ Name: "network", Host: false }]) } : {};
}
