import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", ".next/", ".next-*/", ".data/", "src/server/db/generated/", "test-results/", "next-env.d.ts"],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The domain and the non-web processes must run without Next.js.
    files: ["src/server/**/*.ts", "src/jobs-process/**/*.ts", "src/ws-hub/**/*.ts", "src/agent/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["next", "next/*"], message: "src/server, jobs, ws-hub and agent must not import Next.js" }] },
      ],
    },
  },
);
