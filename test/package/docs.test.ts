// The README a newcomer opens, and the documentation it links to: it opens with the two
// commands, stays short, and every relative link in it and in docs/ leads to a file that exists.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? markdownFiles(p) : f.endsWith('.md') ? [p] : [];
  });
}

describe('README.md', () => {
  it('opens with exactly the two commands, then says what they do', () => {
    expect(readme.startsWith('```\nnpm install && npm start\nnpm test\n```\n')).toBe(true);
  });

  it("is a newcomer's page (about 150 lines), not the reference: no option tables, no measurement logs", () => {
    const lines = readme.split('\n').length;
    expect(lines).toBeGreaterThan(100);
    expect(lines).toBeLessThan(200);
    expect(readme).not.toContain('<!-- options:');
    for (const doc of ['docs/cli.md', 'docs/results.md', 'docs/design.md', 'docs/formats.md', 'docs/spec/ALGORITHMS.md', 'docs/report.png']) expect(readme, doc).toContain(`](${doc}`);
  });
});

describe('documentation links', () => {
  it('every relative link in README.md and docs/ names a file that exists', () => {
    const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
    let checked = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const [target, anchor] = m[1].split('#');
        if (/^[a-z]+:/.test(m[1])) continue;
        const file = target ? join(dirname(f), target) : f;
        expect(existsSync(file), `${f.slice(root.length + 1)} -> ${m[1]}`).toBe(true);
        // An anchor names a heading of the target, as GitHub slugs it.
        if (anchor) expect(slugs(file), `${f.slice(root.length + 1)} -> ${m[1]}`).toContain(anchor);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('the contract in docs/spec/', () => {
  it('no source, test or bench file cites the contract at a path outside the repository', () => {
    const outside = ['../' + 'shared/', 'shared/' + 'spec'];
    const offenders: string[] = [];
    for (const dir of ['src', 'assembly', 'test', 'bench']) {
      for (const f of sourceFiles(join(root, dir))) {
        const text = readFileSync(f, 'utf8');
        if (outside.some((o) => text.includes(o))) offenders.push(f.slice(root.length + 1));
      }
    }
    expect(offenders).toEqual([]);
    for (const doc of ['ALGORITHMS.md', 'CASE-FORMAT.md', 'CHIP-MODEL.md']) expect(existsSync(join(root, 'docs', 'spec', doc)), doc).toBe(true);
  });

  it('every "ALGORITHMS §n" a source file cites is a section of docs/spec/ALGORITHMS.md', () => {
    const spec = readFileSync(join(root, 'docs', 'spec', 'ALGORITHMS.md'), 'utf8');
    const sections = new Set([...spec.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])));
    const cited = new Set<number>();
    for (const dir of ['src', 'assembly', 'test', 'bench']) {
      for (const f of sourceFiles(join(root, dir))) {
        for (const m of readFileSync(f, 'utf8').matchAll(/ALGORITHMS(?:\.md)?,? ?§ ?(\d+)/g)) cited.add(Number(m[1]));
      }
    }
    expect(cited.size).toBeGreaterThan(5);
    for (const n of cited) expect(sections, `§${n}`).toContain(n);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|mjs|js)$/.test(f) ? [p] : [];
  });
}

function slugs(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );
}
