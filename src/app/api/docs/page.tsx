import type { Metadata } from "next";
import Link from "next/link";
import { openApiDocument } from "@/server/public-api/openapi";
import { getServices } from "@/server/runtime/services";
import { schemaText } from "./schema-text";

export const metadata: Metadata = { title: "API reference" };
export const dynamic = "force-dynamic";

type Op = {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: object }[];
  requestBody?: { content: Record<string, { schema?: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: object }> }>;
};

const METHOD_COLOR: Record<string, string> = { get: "text-ok", post: "text-accent", put: "text-warn", delete: "text-bad" };

/** The public API's reference, rendered from the same OpenAPI document as /api/v1/openapi.json (docs/api.md). */
export default function ApiReferencePage() {
  const doc = openApiDocument(getServices("web").config.PUBLIC_URL) as unknown as {
    servers: { url: string }[];
    paths: Record<string, Record<string, Op>>;
    components?: { schemas?: Record<string, object> };
  };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? "Other"))];
  const base = doc.servers[0]?.url ?? "/api/v1";
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">API reference</h1>
        <p className="text-sm text-muted">
          Base URL <code>{base}</code>. Send a token from{" "}
          <Link href="/settings/tokens" className="text-accent hover:underline">
            Settings → API tokens
          </Link>{" "}
          as <code>Authorization: Bearer wh_…</code>. Errors are <code>{`{ "error": { "code", "message" } }`}</code> with a stable code. The machine-readable
          document is{" "}
          <a href="/api/v1/openapi.json" className="text-accent hover:underline">
            /api/v1/openapi.json
          </a>
          .
        </p>
        <nav aria-label="API sections" className="flex flex-wrap gap-3 text-sm">
          {tags.map((t) => (
            <a key={t} href={`#${t.toLowerCase()}`} className="text-accent hover:underline">
              {t}
            </a>
          ))}
          <a href="#schemas" className="text-accent hover:underline">
            Schemas
          </a>
        </nav>
      </div>
      {tags.map((tag) => (
        <section key={tag} id={tag.toLowerCase()} aria-labelledby={`tag-${tag}`} className="space-y-4">
          <h2 id={`tag-${tag}`} className="text-xl font-semibold">
            {tag}
          </h2>
          {ops
            .filter((o) => (o.op.tags?.[0] ?? "Other") === tag)
            .map(({ path, method, op }) => {
              const ok = op.responses["200"];
              const body = op.requestBody?.content["application/json"]?.schema;
              return (
                <article key={op.operationId} id={op.operationId} className="space-y-2 rounded-lg border border-line bg-panel p-4" data-operation={op.operationId}>
                  <h3 className="font-mono text-sm">
                    <span className={`font-semibold uppercase ${METHOD_COLOR[method] ?? ""}`}>{method}</span> {path}
                  </h3>
                  <p className="text-sm">{op.summary}</p>
                  {op.description ? <p className="text-xs text-muted">{op.description}</p> : null}
                  {op.parameters?.length ? (
                    <ul className="text-sm">
                      {op.parameters.map((p) => (
                        <li key={`${p.in}-${p.name}`}>
                          <code>{p.name}</code> <span className="text-muted">({p.in}{p.required ? ", required" : ""})</span>
                          {p.description ? ` — ${p.description}` : ""}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {body ? (
                    <div>
                      <p className="text-xs font-medium text-muted">Request body</p>
                      <pre className="overflow-x-auto rounded bg-surface p-2 text-xs">{schemaText(body)}</pre>
                    </div>
                  ) : null}
                  {ok?.content
                    ? Object.entries(ok.content).map(([type, c]) => (
                        <div key={type}>
                          <p className="text-xs font-medium text-muted">200 {type}</p>
                          <pre className="overflow-x-auto rounded bg-surface p-2 text-xs">{schemaText(c.schema)}</pre>
                        </div>
                      ))
                    : null}
                </article>
              );
            })}
        </section>
      ))}
      <section id="schemas" aria-labelledby="schemas-title" className="space-y-3">
        <h2 id="schemas-title" className="text-xl font-semibold">
          Schemas
        </h2>
        {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
          <div key={name} id={`schema-${name}`}>
            <h3 className="font-mono text-sm font-semibold">{name}</h3>
            <pre className="overflow-x-auto rounded bg-surface p-2 text-xs">{schemaText(schema)}</pre>
          </div>
        ))}
      </section>
    </div>
  );
}
