/**
 * The core without Node (issue 19 item 1): src/core.ts bundles for a browser with esbuild, and
 * no module it reaches imports a Node built-in (node:*, fs, worker_threads, ...) or the `mnist`
 * package (Node's require). The plugin refuses each such import naming the module that made it.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { build, type Plugin } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseName, extName } from '../../src/io/paths.js';

const NODE_ONLY = new Set([...builtinModules, 'mnist']);

/** Records every import of a Node built-in (or of the mnist package) with its importer. */
function nodeImports(found: string[]): Plugin {
  return {
    name: 'no-node',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (a) => {
        const bare = a.path.replace(/^node:/, '').split('/')[0];
        if (a.path.startsWith('node:') || NODE_ONLY.has(bare)) {
          found.push(`${a.importer.replace(process.cwd(), '.')} imports ${a.path}`);
          return { path: a.path, external: true };
        }
        return undefined;
      });
    },
  };
}

async function bundle(entry: string): Promise<{ found: string[]; bytes: number; inputs: string[] }> {
  const found: string[] = [];
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent', plugins: [nodeImports(found)] });
  return { found, bytes: r.outputFiles[0].contents.length, inputs: Object.keys(r.metafile.inputs) };
}

describe('the core bundles for a browser', () => {
  it('src/core.ts imports no Node built-in, and holds the chip, rules, training, cost and report', async () => {
    const { found, bytes, inputs } = await bundle('src/core.ts');
    expect(found).toEqual([]);
    for (const m of ['src/chip/chip.ts', 'src/chip/wasm.ts', 'src/rules/table.ts', 'src/train/loop.ts', 'src/train/train.ts', 'src/cost/hwmodel.ts', 'src/report/html/render.ts', 'hw-models/loihi.json']) {
      expect(inputs).toContain(m);
    }
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('the check catches a Node import (src/index.ts installs Node\'s platform)', async () => {
    const { found } = await bundle('src/index.ts');
    expect(found.some((f) => f.includes('src/node/platform.ts imports node:fs'))).toBe(true);
  });

  it('the playground\'s worker and page bundle without Node too', async () => {
    for (const entry of ['src/web/worker.ts', 'src/web/page.ts']) expect((await bundle(entry)).found).toEqual([]);
  });
});

describe('path names without node:path', () => {
  it('baseName and extName are POSIX basename and extname', () => {
    const part = fc.constantFrom('a', 'b.json', '.', '..', '', '.x', 'y.', 'a.b.c', 'AEDAT4');
    fc.assert(fc.property(fc.array(part, { maxLength: 5 }), fc.boolean(), fc.boolean(), (parts, lead, trail) => {
      const p = `${lead ? '/' : ''}${parts.join('/')}${trail ? '/' : ''}`;
      expect(baseName(p)).toBe(posix.basename(p));
      expect(extName(p)).toBe(posix.extname(p));
    }), { numRuns: 500 });
  });
});
