import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

/** A self-signed certificate for 127.0.0.1 (or `ip`), made with openssl, in a new folder under `parent` (the caller removes it). */
export function selfSignedCert(parent = os.tmpdir(), ip = "127.0.0.1"): { certFile: string; keyFile: string; cert: string; key: string } {
  const dir = mkdtempSync(path.join(parent, "wh-cert-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", `/CN=${ip}`, "-addext", `subjectAltName=IP:${ip}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

/** One tiny package, packed by the real `npm pack` in a new folder under `parent` (the caller removes it), that the stub registry serves. */
export function packFixturePackage(name: string, version: string, parent = os.tmpdir()): Buffer {
  const dir = mkdtempSync(path.join(parent, "wh-pkg-"));
  mkdirSync(path.join(dir, "pkg"));
  writeFileSync(path.join(dir, "pkg", "package.json"), JSON.stringify({ name, version, main: "index.js" }));
  writeFileSync(path.join(dir, "pkg", "index.js"), `module.exports = "from ${name}";\n`);
  const r = spawnSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: path.join(dir, "pkg"), encoding: "utf8", env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } });
  if (r.status !== 0) throw new Error(`npm pack: ${r.stderr}`);
  return readFileSync(path.join(dir, r.stdout.trim().split("\n").pop()!));
}

export interface RegistryStub {
  url: string;
  /** Requests seen, with their Authorization header. */
  requests: Array<{ url: string; authorization?: string }>;
  close(): Promise<void>;
}

/**
 * A minimal npm registry on loopback serving one package (metadata and tarball), over TLS with
 * the given certificate or plain HTTP, optionally answering 401 unless the bearer token matches.
 */
export async function startRegistryStub(options: {
  name: string;
  version: string;
  tarball: Buffer;
  tls?: { cert: string; key: string };
  token?: string;
  /** The address it listens on (default loopback; a container build reaches the host's own address instead). */
  host?: string;
}): Promise<RegistryStub> {
  const requests: RegistryStub["requests"] = [];
  const integrity = `sha512-${createHash("sha512").update(options.tarball).digest("base64")}`;
  const shasum = createHash("sha1").update(options.tarball).digest("hex");
  let base = "";
  const handler: http.RequestListener = (req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="stub"' });
      res.end(JSON.stringify({ error: "authentication required" }));
      return;
    }
    const tarPath = `/${options.name}/-/${options.name}-${options.version}.tgz`;
    const versionDoc = { name: options.name, version: options.version, main: "index.js", dist: { tarball: `${base}${tarPath}`, integrity, shasum } };
    if (req.url === `/${options.name}/${options.version}`) {
      // The version document corepack asks for; like a mirror's, without npm's signatures.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(versionDoc));
    } else if (req.url === `/${options.name}`) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          name: options.name,
          "dist-tags": { latest: options.version },
          versions: { [options.version]: versionDoc },
        }),
      );
    } else if (req.url === tarPath) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(options.tarball);
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
    }
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  base = `${options.tls ? "https" : "http"}://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never answers: a registry that hangs. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An IPv4 address of this machine that a build container reaches through the engine's NAT (its own loopback is not the host's). */
export function hostAddress(): string {
  const found = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal);
  if (!found) throw new Error("this machine has no non-loopback IPv4 address for a build container to reach");
  return found.address;
}
