/**
 * `ncsim serve [--port N]`: the playground (dist/web/, built by `npm run build`) on a tiny
 * static server on 127.0.0.1 (src/node/static-server.ts); prints the URL and serves until
 * stopped (Ctrl-C).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { InputError } from '../io/errors.js';
import { serveStatic, webDir } from '../node/static-server.js';

export const SERVE: CommandSpec = {
  name: 'serve',
  summary: 'Serve the browser playground (dist/web) on 127.0.0.1 and print its URL',
  usage: 'ncsim serve [--port N]',
  options: [
    { name: 'port', type: 'int', min: 0, max: 65535, default: 8080, description: 'TCP port on 127.0.0.1 (0: any free port)' },
  ],
};

export async function cmdServe(argv: string[]): Promise<void> {
  const { options: o } = parseArgs(SERVE, argv);
  if (o.help) {
    process.stdout.write(`${formatHelp(SERVE)}\n`);
    return;
  }
  const root = webDir(dirname(fileURLToPath(import.meta.url)));
  if (!existsSync(`${root}/index.html`)) throw new Error(`the playground is not built (${root}/index.html is missing): run "npm run build"`);
  const port = o.port as number;
  try {
    const s = await serveStatic(root, port);
    process.stdout.write(`ncsim playground: ${s.url}  (serving ${root}; Ctrl-C to stop)\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError('--port', 'a free port this user may listen on (0: any free port)', port, { kind: 'option', note: code });
    throw e;
  }
}
