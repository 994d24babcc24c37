import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { commitSampleRelease, ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { tempStateDir } from "./support/runtime-harness";

const log = (dir: string) => spawnSync("git", ["-C", dir, "log", "--format=%s", "main"], { encoding: "utf8" }).stdout.trim().split("\n");

describe("sample repository", () => {
  it("is created once as a git repository on main and reused afterwards", async () => {
    const tmp = tempStateDir();
    const dir = path.join(tmp.dir, "sample");
    const url = await ensureSampleRepository(dir);
    expect(url).toBe(`file://${dir}`);
    expect(fileURLToPath(url)).toBe(dir);
    expect(log(dir)).toEqual(["Sample app: first release"]);
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(pkg.scripts.start).toBe("node server.js");
    expect(await ensureSampleRepository(dir)).toBe(url);
    expect(log(dir)).toHaveLength(1);

    const { sha, release } = await commitSampleRelease(dir);
    expect(release).toBe(2);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(log(dir)).toEqual(["Sample app: release 2", "Sample app: first release"]);
    expect(readFileSync(path.join(dir, "RELEASE"), "utf8").trim()).toBe("2");
    tmp.cleanup();
  });
});
