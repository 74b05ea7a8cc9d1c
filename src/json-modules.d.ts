// JSON files the core bundles (the shipped hardware models and nets, src/cost/shipped-models.ts):
// esbuild and vitest inline them; the type checker sees their content as unknown.
declare module '*.json' {
  const value: unknown;
  export default value;
}
