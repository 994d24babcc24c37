import { WebSocketServer } from "ws";

/** Baseline: a bare `ws` server that echoes every frame (no auth, no checks, no database). */
const port = Number(process.argv[2] ?? 0);
const wss = new WebSocketServer({ port, host: "127.0.0.1", maxPayload: 1024 * 1024, perMessageDeflate: false });
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on("listening", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => wss.close(() => process.exit(0)));
