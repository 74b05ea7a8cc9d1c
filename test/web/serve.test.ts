/**
 * `ncsim serve` and its static server (src/node/static-server.ts): the MIME types a browser
 * needs (application/wasm), index.html for a folder, 403 for any path out of the folder
 * (`..`, encoded, or a symbolic link pointing out), 404 for what is not a file, 405 for
 * anything but GET and HEAD, and only on 127.0.0.1. The command prints its URL; a bad or busy
 * --port exits 2 naming it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../src/node/static-server.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** A raw request (no URL normalization by a client: `..` reaches the server as sent). */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the static server', () => {
  let s: StaticServer;
  let root: string;

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ncsim-serve-'));
    root = join(top, 'web');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(top, 'secret.txt'), 'SECRET-CONTENT');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(root, 'k.wasm'), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(root, 'p.js'), 'let a = 1;');
    writeFileSync(join(root, 'sub', 'd.bin'), new Uint8Array([1, 2, 3]));
    writeFileSync(join(root, 'sub', 'index.html'), 'sub index');
    symlinkSync(join(top, 'secret.txt'), join(root, 'link.txt'));
    s = await serveStatic(root, 0);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('listens on loopback and serves files with their MIME types', async () => {
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
    expect(s.server.address()).toMatchObject({ address: '127.0.0.1' });
    const cases: [string, string][] = [['/', 'text/html; charset=utf-8'], ['/k.wasm', 'application/wasm'], ['/p.js', 'text/javascript; charset=utf-8'], ['/sub/d.bin', 'application/octet-stream'], ['/sub/', 'text/html; charset=utf-8'], ['/p.js?v=2', 'text/javascript; charset=utf-8']];
    for (const [path, type] of cases) {
      const r = await get(s.port, path);
      expect([path, r.status, r.type]).toEqual([path, 200, type]);
    }
    expect((await get(s.port, '/sub/')).body).toBe('sub index');
    expect((await get(s.port, '/k.wasm', 'HEAD')).body).toBe('');
  });

  it('refuses every path out of the folder, and what is not a file', async () => {
    for (const path of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/link.txt', '/%00', '/%E0%A4%A']) {
      const r = await get(s.port, path);
      expect([path, r.status]).toEqual([path, 403]);
      expect(r.body).not.toContain('SECRET');
    }
    for (const path of ['/missing.js', '/sub/nothing/']) expect((await get(s.port, path)).status).toBe(404);
    expect((await get(s.port, '/', 'POST')).status).toBe(405);
    expect((await get(s.port, '/', 'DELETE')).status).toBe(405);
  });
});

describe('ncsim serve', () => {
  it('serves the built playground and prints its URL', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) ok(out);
        });
        child.on('exit', (code) => fail(new Error(`exited ${code}`)));
      });
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
      expect(m, line).not.toBeNull();
      const port = Number(m?.[1]);
      const page = await get(port, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('ncsim playground');
      expect((await get(port, '/ncsim.wasm')).type).toBe('application/wasm');
      expect((await get(port, '/worker.js')).status).toBe(200);
      expect((await get(port, '/../cli.js')).status).toBe(403);
    } finally {
      child.kill();
    }
  });

  it('exits 2 naming --port when the port is bad or taken', async () => {
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--port', '70000'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port/);
    const taken = await serveStatic(mkdtempSync(join(tmpdir(), 'ncsim-serve-')), 0);
    try {
      const busy = spawnSync(process.execPath, [CLI, 'serve', '--port', String(taken.port)], { encoding: 'utf8', timeout: 20_000 });
      expect(busy.stderr).toMatch(/--port.*EADDRINUSE/s);
      expect(busy.status).toBe(2);
    } finally {
      await taken.close();
    }
  });
});
