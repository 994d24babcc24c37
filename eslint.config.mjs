import tseslint from "typescript-eslint";

const NO_NEXT = { group: ["next", "next/*"], message: "src/server, jobs, ws-hub, agent and protocol must not import Next.js" };

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
    files: ["src/server/**/*.ts", "src/jobs-process/**/*.ts", "src/ws-hub/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [NO_NEXT] }],
    },
  },
  {
    // The agent runs on other machines: it knows the protocol, never the control plane's code.
    files: ["src/agent/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [NO_NEXT, { group: ["**/server/**", "**/launcher/**", "**/ws-hub/**", "**/jobs-process/**"], message: "the agent imports only src/protocol, src/net, src/os and its own files" }] },
      ],
    },
  },
  {
    // The written contract's module stands alone, so both sides can import it.
    files: ["src/protocol/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [NO_NEXT, { group: ["**/server/**", "**/agent/**", "**/ws-hub/**", "**/launcher/**", "**/jobs-process/**"], message: "src/protocol imports nothing of the processes that use it" }] },
      ],
    },
  },
);
