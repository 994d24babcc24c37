import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BuildOutput, readBuildStream } from "../../src/agent/runtime/container/build-output";
import { readJsonLines } from "../../src/agent/runtime/container/json-lines";

/**
 * The engine's newline-delimited JSON streams (src/agent/runtime/container/json-lines.ts): messages
 * split anywhere across chunks, plain text between them, messages far longer than a log line.
 */
describe("engine JSON lines", () => {
  it("reassemble messages split across chunks, pass text on, skip what fails the schema, keep long messages whole", () => {
    const stream = new PassThrough();
    const seen: Array<{ n: number; s: string }> = [];
    const text: string[] = [];
    const reader = readJsonLines(stream, z.object({ n: z.number(), s: z.string() }), (m) => seen.push(m), (t) => text.push(t));
    const long = "x".repeat(100_000);
    const wire = `{"n":1,"s":"a"}\nplain text\r\n{"n":"not a number","s":"b"}\n\n{"n":3,"s":"${long}"}\n{"n":4,"s":"last"}`;
    for (let i = 0; i < wire.length; i += 7) stream.write(wire.slice(i, i + 7));
    expect(seen.map((m) => m.n)).toEqual([1, 3]);
    expect(seen[1]!.s).toHaveLength(100_000);
    reader.flush();
    expect(seen.map((m) => m.n)).toEqual([1, 3, 4]);
    expect(text).toEqual(["plain text"]);
  });

  it("turn a build stream into lines, steps, the image id and the error", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    const steps: number[] = [];
    const output = new BuildOutput({ onLine: (l) => lines.push(l), onStep: (s) => steps.push(s) });
    const done = readBuildStream(stream, output);
    stream.write('{"stream":"STEP 1/2: FROM base\\n"}\n{"stream":"STEP 2/2: RUN [\\"npm\\",');
    stream.write('\\"ci\\"]\\n"}\n{"stream":"npm ERR! code E401\\n"}\n{"aux":{"ID":"sha256:abc"}}\n');
    stream.end('{"errorDetail":{"message":"exit status 1"},"error":"exit status 1"}');
    await done;
    expect(lines).toEqual(["STEP 1/2: FROM base", 'STEP 2/2: RUN ["npm","ci"]', "npm ERR! code E401", "exit status 1"]);
    expect(steps).toEqual([0, 1]);
    expect(output.imageId).toBe("sha256:abc");
    expect(output.error).toBe("exit status 1");
  });
});
