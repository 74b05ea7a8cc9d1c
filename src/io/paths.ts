/**
 * The two path operations the core needs to name files in messages, without node:path (the
 * core bundles for a browser): POSIX `basename` and `extname`, as Node's path.posix does them.
 */

/** The last part of a path, trailing slashes ignored (`/a/b.json/` -> `b.json`). */
export function baseName(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  const trimmed = path.slice(0, end);
  if (trimmed === '/') return '';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The extension of the last part, from its last dot (`a.tar.gz` -> `.gz`; `.hidden` and `a.` -> `` and `.`). */
export function extName(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || base === '..') return '';
  return base.slice(dot);
}
