import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { browserImportGraph, importChain } from "./support/browser-import-graph";

/**
 * Issue 13 item 6 (docs/performance.md, "First load"): classic zod's API adds about 10 KiB of
 * compressed JS to every route whose browser code reaches it, and it put the Monitoring tab and the
 * token form over the 200 KiB first-load budget. Modules the browser loads validate with `zod/mini`.
 * bench:web measures the sizes from a production build; this checks the import graph, no build.
 */
const graph = browserImportGraph(fileURLToPath(new URL("../..", import.meta.url)));

describe("browser code", () => {
  it("follows client components into the shared schemas (the walk sees what the browser loads)", () => {
    const editor = "src/app/apps/[appId]/monitoring/alert-rules-editor.tsx";
    expect(graph.files.get(editor)).toBe("");
    expect(importChain(graph, "src/server/alerts/alert-rule-schema.ts")).toEqual([editor, "src/server/alerts/alert-rule-schema.ts"]);
    expect(graph.files.has("src/server/teams/roles.ts")).toBe(true);
    expect(graph.packages.has("zod/mini")).toBe(true);
  });

  it("imports no classic zod, only zod/mini", () => {
    const classic = [...graph.packages].filter(([specifier]) => specifier === "zod" || (specifier.startsWith("zod/") && !/^zod\/(v4\/)?mini$|^zod\/v4-mini$/.test(specifier)));
    expect(classic.flatMap(([specifier, files]) => files.map((file) => `${specifier} via ${importChain(graph, file).join(" → ")}`))).toEqual([]);
  });
});
