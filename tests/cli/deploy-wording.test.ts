import { describe, expect, it } from "vitest";
import { statusPhrase } from "../../src/cli/commands/deploy";

/** `wh deploy` without --wait ends with a sentence about the deployment, in plain English. */
describe("wh deploy's status sentence", () => {
  it("reads as English for every deployment status (prisma/schema.prisma DeploymentStatus)", () => {
    const sentence = (status: string) => `Deployment #3 of shop ${statusPhrase(status)}.`;
    expect(["pending", "building", "succeeded", "failed", "cancelled"].map(sentence)).toEqual([
      "Deployment #3 of shop is queued.",
      "Deployment #3 of shop is building.",
      "Deployment #3 of shop succeeded.",
      "Deployment #3 of shop failed.",
      "Deployment #3 of shop was cancelled.",
    ]);
  });
});
