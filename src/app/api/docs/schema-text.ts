/** A JSON Schema (as zod-openapi writes it) in a short TypeScript-like form for the reference page. */
type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: Schema | boolean;
  format?: string;
  description?: string;
};

const pad = (depth: number) => "  ".repeat(depth);

export function schemaText(schema: Schema | undefined, depth = 0): string {
  if (!schema) return "unknown";
  if (schema.$ref) return schema.$ref.split("/").at(-1)!;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((s) => schemaText(s, depth)).join(" | ");
  if (schema.allOf) return schema.allOf.map((s) => schemaText(s, depth)).join(" & ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const nullable = types.includes("null");
  const base = types.filter((t) => t !== "null");
  if (nullable && base.length === 0 && !schema.properties) return "null";
  let text: string;
  if (base[0] === "object" || schema.properties) {
    const props = Object.entries(schema.properties ?? {});
    if (props.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === "object") {
      text = `{ [key: string]: ${schemaText(schema.additionalProperties, depth)} }`;
    } else {
      const required = new Set(schema.required ?? []);
      const lines = props.map(([k, v]) => {
        const note = v.description ? `  // ${v.description}` : "";
        return `${pad(depth + 1)}${k}${required.has(k) ? "" : "?"}: ${schemaText(v, depth + 1)}${note}`;
      });
      text = lines.length ? `{\n${lines.join("\n")}\n${pad(depth)}}` : "{}";
    }
  } else if (base[0] === "array") {
    const inner = schemaText(schema.items, depth);
    text = inner.includes(" ") && !inner.startsWith("{") ? `(${inner})[]` : `${inner}[]`;
  } else if (base[0] === "string" && schema.format) {
    text = `string (${schema.format})`;
  } else {
    text = base.join(" | ") || "unknown";
  }
  return nullable ? `${text} | null` : text;
}
