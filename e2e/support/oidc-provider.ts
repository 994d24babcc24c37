import { createServer } from "node:http";
import Provider from "oidc-provider";

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (the oidc-provider package) standing in for Google in the e2e run. Its
 * development login form accepts any login; the account's email is `<login>@example.com`,
 * verified. Start it before the platform so OIDC_ISSUER/OIDC_CLIENT_ID/OIDC_CLIENT_SECRET can
 * point at it.
 */
export async function startTestOidcProvider(port: number, redirectUri: string): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "wisehosting-e2e";
  const clientSecret = "wisehosting-e2e-client-secret-0123456789";
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    cookies: { keys: ["wisehosting-e2e-oidc-cookie-key-0123"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, claims: async () => ({ sub, email: `${sub}@example.com`, email_verified: true, name: sub }) };
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { issuer, clientId, clientSecret, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
