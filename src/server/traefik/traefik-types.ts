/** The part of Traefik's dynamic configuration (v3) the hub emits. */
export interface TraefikRouter {
  rule: string;
  service: string;
  entryPoints?: string[];
  tls?: { certResolver: string };
}

export interface TraefikService {
  loadBalancer: { servers: { url: string }[]; passHostHeader?: boolean };
}

export interface TraefikDynamicConfig {
  http: {
    routers: Record<string, TraefikRouter>;
    services: Record<string, TraefikService>;
  };
}
