import { lstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import dockerignore from "@balena/dockerignore";
import tar from "tar-fs";

/** A file the agent adds to a build context (a generated Containerfile, the static server). */
export interface ExtraFile {
  /** Path inside the context, e.g. ".wisehosting/Containerfile". */
  name: string;
  content: string | Buffer;
  mode?: number;
}

export interface BuildContextOptions {
  /** Files added to the context; a repository file of the same name is left out. */
  extraFiles?: ExtraFile[];
  /** Always sent, even when an ignore file matches it (as the Docker CLI does with the Dockerfile). */
  keep?: string[];
  /** Leave `.git` out (the generated Containerfiles never copy it; a repository's own Dockerfile may). */
  excludeGit?: boolean;
}

/** The ignore rules of a context: `.containerignore` (Podman's name) wins over `.dockerignore`. */
async function ignoreRules(root: string): Promise<string | null> {
  for (const name of [".containerignore", ".dockerignore"]) {
    const text = await readFile(path.join(root, name), "utf8").catch(() => null);
    if (text !== null) return text;
  }
  return null;
}

/**
 * Streams a directory as an uncompressed tar build context for POST /build. Symlinks stay
 * symlinks (never followed out of the directory), sockets and devices are skipped, and every
 * entry is made world-readable and owned by root, so a COPY gives files the unprivileged app
 * user can read but not change.
 */
export async function packBuildContext(root: string, options: BuildContextOptions = {}): Promise<Readable> {
  const extra = options.extraFiles ?? [];
  const replaced = new Set(extra.map((f) => path.posix.normalize(f.name)));
  const keep = new Set((options.keep ?? []).map((k) => path.posix.normalize(k)));
  const rules = await ignoreRules(root);
  const matcher = rules === null ? null : dockerignore({ ignorecase: false }).add(rules);
  // With an exception rule ("!dir/keep-me") an ignored directory may hold files to send, so
  // directories are then walked and only files are matched.
  const hasExceptions = rules !== null && /^\s*!/m.test(rules);

  const ignore = (absolute: string): boolean => {
    const rel = path.relative(root, absolute).split(path.sep).join("/");
    if (!rel || rel.startsWith("..")) return false;
    if (replaced.has(rel)) return true;
    if (keep.has(rel)) return false;
    if (options.excludeGit && (rel === ".git" || rel.startsWith(".git/"))) return true;
    if (!matcher) return false;
    if (matcher.ignores(rel)) return !hasExceptions || !isDirectoryPath(absolute);
    return false;
  };

  const pack = tar.pack(root, {
    ignore,
    strict: false,
    readable: true,
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
    finalize: false,
    finish: (p) => {
      for (const file of extra) {
        p.entry({ name: file.name, mode: file.mode ?? 0o644, uid: 0, gid: 0, mtime: new Date() }, file.content);
      }
      p.finalize();
    },
  });
  return pack as unknown as Readable;
}

function isDirectoryPath(absolute: string): boolean {
  // tar-fs asks about each path before it stats it, through a synchronous filter.
  try {
    return lstatSync(absolute).isDirectory();
  } catch {
    return false;
  }
}
