/**
 * Reads a failed install's output (npm, pnpm, yarn, corepack) for why the package registry could
 * not be used, so the deploy fails with the cause and the worker setting that fixes it instead of
 * a bare exit code. Runtime-neutral: container builds can pass their build output here too.
 */
export type RegistryFailureCause = "tls" | "dns" | "refused" | "auth" | "timeout" | "signature";

export interface RegistryFailure {
  cause: RegistryFailureCause;
  /** The host (and port) the failing request went to, when the output names it. */
  host: string | null;
  /** The output line the cause was read from. */
  evidence: string;
  /** A sentence for the app's owner and the worker's operator: the cause and the setting that fixes it. */
  message: string;
}

const PATTERNS: Array<{ cause: RegistryFailureCause; test: RegExp }> = [
  {
    cause: "tls",
    test: /SELF_SIGNED_CERT|self[- ]signed certificate|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to (get local issuer|verify the first) certificate|CERT_HAS_EXPIRED|certificate has expired|CERT_UNTRUSTED|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|SSL certificate problem/i,
  },
  { cause: "dns", test: /\bENOTFOUND\b|\bEAI_AGAIN\b|getaddrinfo|Could not resolve host/i },
  { cause: "refused", test: /\bECONNREFUSED\b|Connection refused/i },
  {
    cause: "auth",
    test: /\bE40[13]\b|ERR_PNPM_FETCH_40[13]|HTTP 40[13]\b|\b40[13] (Unauthorized|Forbidden)\b|(Unauthorized|Forbidden) - 40[13]|authentication token seems to be invalid|authentication required|Incorrect or missing password|No authorization header/i,
  },
  { cause: "timeout", test: /\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|network timeout|Socket timeout|ERR_SOCKET_TIMEOUT|UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT|Connect Timeout Error|\bEPROTO\b.*timeout/i },
  { cause: "signature", test: /No compatible signature found in package metadata|not signed by any trusted keys/i },
];

function hostIn(lines: string[]): string | null {
  for (const line of lines) {
    const url = /\bhttps?:\/\/[^\s"'`<>)]+/.exec(line)?.[0];
    if (url) {
      try {
        return new URL(url).host;
      } catch {
        continue;
      }
    }
    const addr = /\b(?:connect|getaddrinfo) [A-Z_]+ ([\w.-]+(?::\d+)?)/.exec(line)?.[1];
    if (addr) return addr;
  }
  return null;
}

/** What the operator is told for each cause; `target` names the host, or the registry. */
function explain(cause: RegistryFailureCause, target: string, registry: string): string {
  switch (cause) {
    case "tls":
      return (
        `TLS trust: ${target} presented a certificate this worker does not trust. ` +
        "The worker's operator fixes this by giving the agent the CA certificate that signs it: --ca-file FILE (AGENT_CA_FILE); " +
        "without it the agent uses NODE_EXTRA_CA_CERTS, SSL_CERT_FILE or npm's cafile from its own environment"
      );
    case "dns":
      return (
        `DNS: ${target} does not resolve on this worker. ` +
        `The worker's operator fixes this with the registry address, --npm-registry URL (AGENT_NPM_REGISTRY, now ${registry}), ` +
        "or, where the worker reaches the internet only through a proxy, --https-proxy URL (AGENT_HTTPS_PROXY)"
      );
    case "refused":
      return (
        `connection refused: nothing accepts connections at ${target}. ` +
        `The worker's operator fixes this with --npm-registry URL (AGENT_NPM_REGISTRY, now ${registry}) or --https-proxy URL (AGENT_HTTPS_PROXY)`
      );
    case "auth":
      return (
        `authentication: ${target} refused the request (401/403). ` +
        "The worker's operator fixes this with a token the registry accepts: --npm-token TOKEN (AGENT_NPM_TOKEN)"
      );
    case "timeout":
      return (
        `timeout: ${target} did not answer in time. ` +
        "The worker's operator fixes this with --https-proxy URL / --no-proxy (AGENT_HTTPS_PROXY, AGENT_NO_PROXY) when the worker needs a proxy, " +
        "or a longer --registry-timeout SECONDS (AGENT_REGISTRY_TIMEOUT_SECONDS) for a slow registry"
      );
    case "signature":
      return (
        `package signature: corepack could not verify the package manager it downloaded from ${target}, because the registry serves package metadata without npm's signatures (a mirror or proxy). ` +
        "If the worker's operator trusts that registry: --corepack-integrity-keys 0 (AGENT_COREPACK_INTEGRITY_KEYS=0)"
      );
  }
}

/**
 * Why corepack could not provide the package manager a project names, when the registry itself
 * answered (a version it does not have); registry problems are classifyRegistryFailure's.
 */
export function corepackFailure(output: string[], manager: string): string | null {
  const notFound = output.find((l) => /Server answered with HTTP 404 when performing the request to/.test(l));
  if (notFound) {
    const url = /https?:\/\/\S+?(?=;|\s|$)/.exec(notFound)?.[0] ?? "";
    return `corepack could not get ${manager}: the registry has no such version (${url}); fix "packageManager" in package.json`;
  }
  const usage = output.find((l) => /^Usage Error: /.test(l.trim()));
  return usage ? `corepack could not run ${manager}: ${usage.trim().slice("Usage Error: ".length)}` : null;
}

/**
 * The first line of `output` that shows a registry problem, classified. Null when the failure
 * is something else (a missing package, a failing install script): the log tail tells those.
 */
export function classifyRegistryFailure(output: string[], registry: string): RegistryFailure | null {
  for (let i = 0; i < output.length; i++) {
    const line = output[i]!;
    for (const { cause, test } of PATTERNS) {
      if (!test.test(line)) continue;
      // The URL is often on the same line, otherwise on one near it.
      const host = hostIn([line, ...output.slice(Math.max(0, i - 3), i + 4)]);
      const registryHost = new URL(registry).host;
      const target = host ?? registryHost;
      return { cause, host, evidence: line.trim().slice(0, 300), message: explain(cause, target, registry) };
    }
  }
  return null;
}
