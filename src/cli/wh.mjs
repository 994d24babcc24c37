#!/usr/bin/env node
// The `wh` / `wisehosting` bin (package.json "bin"). The CLI is TypeScript run through tsx, like
// every other entry point of this package (package.json "scripts"); docs/cli.md.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `wh needs Node.js 22 or newer (this is ${process.versions.node}). From a checkout, run it as \`npx wh\` (the package's own Node 24).\n`,
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv);
