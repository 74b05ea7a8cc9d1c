/**
 * A tiny static file server for the playground (`ncsim serve`, and the Chromium test): GET and
 * HEAD of the files under one folder, on the loopback interface only, with the MIME types a
 * browser needs (application/wasm for WebAssembly.instantiateStreaming and friends). Paths that
 * leave the folder (`..`, encoded or not, symbolic links pointing out) are refused with 403;
 * anything that is not a regular file is 404.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  server: Server;
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The file a request path names under root, or a status: 403 outside root, 404 absent. */
export function resolveRequest(root: string, urlPath: string): string | 403 | 404 {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return 403;
  }
  if (path.includes('\0') || !path.startsWith('/')) return 403;
  if (path.split('/').some((part) => part === '..')) return 403;
  const base = realpathSync(root);
  const file = resolve(base, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (file !== base && !file.startsWith(base + sep)) return 403;
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return 404;
  }
  // A symbolic link inside the folder that points out of it is refused too.
  if (!real.startsWith(base + sep)) return 403;
  try {
    if (!statSync(real).isFile()) return 404;
  } catch {
    return 404;
  }
  return real;
}

/** Serves root on 127.0.0.1:port (0: any free port); resolves once listening. */
export function serveStatic(root: string, port: number): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const headers = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const found = resolveRequest(root, req.url ?? '/');
    if (typeof found === 'number') {
      res.writeHead(found, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(found === 403 ? 'outside the served folder\n' : 'not found\n');
      return;
    }
    const type = MIME_TYPES[extname(found).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': statSync(found).size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      const address = server.address();
      const p = typeof address === 'object' && address ? address.port : port;
      ok({
        server, port: p, url: `http://127.0.0.1:${p}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** dist/web: next to the bundle (dist/cli.js), or <repo>/dist/web from the sources. */
export function webDir(here: string): string {
  return here.endsWith(`${sep}dist`) ? join(here, 'web') : join(here, '..', '..', 'dist', 'web');
}
