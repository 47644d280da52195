import { defineConfig } from "vitest/config";

export default defineConfig({
  // vite 8 transforms with oxc; without this, decorated classes lose design:paramtypes.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  // Resolve workspace packages to their TypeScript sources so tests never need a build.
  ssr: { resolve: { conditions: ["@hookline/source"] } },
  test: {
    setupFiles: ["./vitest.setup.ts"],
    // The admin serves the dashboard's browser modules compiled; this compiles them if stale.
    globalSetup: ["./packages/admin/src/dashboard/__fixtures__/build-browser.ts"],
    include: [
      "packages/**/src/**/*.test.ts",
      "examples/**/src/**/*.test.ts",
      "bench/src/**/*.test.ts",
      "tests/*/src/**/*.test.ts",
    ],
    typecheck: {
      enabled: true,
      include: ["packages/**/src/**/*.test-d.ts"],
      tsconfig: "./tsconfig.tests.json",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".test-artifacts/vitest.json" },
  },
});
