import { readFileSync } from "node:fs";
import { createServer } from "node:http";

/** Baseline: a bare node:http handler answering a fixed JSON body (the Traefik config, precomputed). */
const port = Number(process.argv[2] ?? 0);
const body = readFileSync(process.argv[3]!);
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
