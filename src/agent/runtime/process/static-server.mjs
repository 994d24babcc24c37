// The built-in static file server for static sites: `node static-server.mjs <dir>`, listening on
// $PORT at the address in $HOST. Plain JavaScript with no dependencies so it runs on any Node
// without a loader.
//
// HOST defaults to 127.0.0.1, never 0.0.0.0: the process runtime runs apps on the worker's own
// network, where its readiness probe and the edge proxy of a one-machine platform reach them on
// loopback; listening on every interface would also expose the site on the machine's other
// addresses, around the proxy. A container image sets HOST=0.0.0.0, which is its own network
// namespace's interfaces only (containerfile.ts).
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
};

const root = await realpath(path.resolve(process.argv[2] ?? "."));
const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error("PORT must be set to the port to listen on");
  process.exit(2);
}

/** Maps a URL path to a regular file under root; symlinks leading outside root are refused. */
async function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0] ?? "/");
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  let candidate = path.join(root, path.normalize(decoded));
  for (let i = 0; i < 2; i++) {
    let real;
    try {
      real = await realpath(candidate);
    } catch {
      return null;
    }
    if (real !== root && !real.startsWith(root + path.sep)) return null;
    const info = await stat(real);
    if (info.isFile()) return { file: real, size: info.size };
    if (!info.isDirectory()) return null;
    candidate = path.join(real, "index.html");
  }
  return null;
}

const server = createServer(async (req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const found = (await resolveFile(req.url ?? "/")) ?? (await resolveFile("/404.html"));
  if (!found) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
    return;
  }
  const status = found.file.endsWith(`${path.sep}404.html`) && !(req.url ?? "").includes("404.html") ? 404 : 200;
  res.writeHead(status, {
    "content-type": TYPES[path.extname(found.file).toLowerCase()] ?? "application/octet-stream",
    "content-length": found.size,
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(found.file).pipe(res);
});

const host = process.env.HOST || "127.0.0.1";
server.on("error", (err) => {
  console.error(`cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`serving ${root} on ${host}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
