import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** The modules the browser loads: every `"use client"` file under src/ and what it imports at run time. */
export interface BrowserImportGraph {
  /** Repository-relative source files, each with the file that first imported it ("" for an entry). */
  files: Map<string, string>;
  /** Package specifiers imported (e.g. `zod/mini`), each with the source files that import it. */
  packages: Map<string, string[]>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function isClientEntry(source: ts.SourceFile): boolean {
  const first = source.statements[0];
  return !!first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === "use client";
}

/** Specifiers that survive compilation: `import type` and imports of type names only are erased. */
function runtimeSpecifiers(source: ts.SourceFile): string[] {
  const out: string[] = [];
  const typeOnlyNames = (bindings: ts.NamedImportBindings | ts.NamedExportBindings | undefined) =>
    !!bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings)) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause && (clause.isTypeOnly || (!clause.name && typeOnlyNames(clause.namedBindings)))) continue;
      out.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (statement.isTypeOnly || typeOnlyNames(statement.exportClause)) continue;
      out.push(statement.moduleSpecifier.text);
    }
  }
  // Lazy imports (next/dynamic, import()) still ship to the browser, so they count too.
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Walks the run-time imports from every client entry, resolving `@/` as tsconfig.json does. */
export function browserImportGraph(root: string): BrowserImportGraph {
  const configFile = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root).options;
  const parse = (path: string) => ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const files = new Map<string, string>();
  const packages = new Map<string, string[]>();
  const queue: string[] = [];
  for (const path of sourceFiles(join(root, "src"))) {
    if (!isClientEntry(parse(path))) continue;
    files.set(relative(root, path), "");
    queue.push(path);
  }
  for (let path = queue.shift(); path; path = queue.shift()) {
    const from = relative(root, path);
    for (const specifier of runtimeSpecifiers(parse(path))) {
      const resolved = ts.resolveModuleName(specifier, path, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.includes("/node_modules/")) {
        if (!specifier.startsWith(".") && !specifier.startsWith("@/")) packages.set(specifier, [...(packages.get(specifier) ?? []), from]);
        continue;
      }
      const target = relative(root, resolved.resolvedFileName);
      if (files.has(target) || !/\.tsx?$/.test(target)) continue;
      files.set(target, from);
      queue.push(resolved.resolvedFileName);
    }
  }
  return { files, packages };
}

/** The import chain from a client entry down to `file`, for a failure message a reader can follow. */
export function importChain(graph: BrowserImportGraph, file: string): string[] {
  const chain = [file];
  for (let parent = graph.files.get(file); parent; parent = graph.files.get(parent)) chain.unshift(parent);
  return chain;
}
