import { safeEqual } from "../../server/crypto/api-key";
import type { HubMetrics } from "../hub-metrics";
import type { Route } from "./http-server";
import { bearerToken, HttpError } from "./respond";

/** Prometheus text format; protected by METRICS_TOKEN when the operator sets one. */
export function metricsRoute(metrics: HubMetrics, token: string | undefined, refresh: () => void): Route {
  return {
    method: "GET",
    path: "/metrics",
    async handler(req, res) {
      if (token) {
        const given = bearerToken(req);
        if (!given || !safeEqual(given, token)) throw new HttpError("unauthorized", 'Send METRICS_TOKEN as "Authorization: Bearer <token>".');
      }
      refresh();
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    },
  };
}
