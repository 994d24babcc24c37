import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { protocolJsonSchemas } from "../src/protocol/json-schemas";

/** Regenerates docs/protocol-schemas/*.json from the zod schemas (a test checks they match). */
const dir = join(process.cwd(), "docs", "protocol-schemas");
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(protocolJsonSchemas())) {
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(schema, null, 2) + "\n");
}
process.stdout.write(`wrote ${Object.keys(protocolJsonSchemas()).length} schemas to ${dir}\n`);
