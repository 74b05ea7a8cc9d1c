// Walks a JSON Schema (local $refs resolved) to list, for every object it describes, the path of
// a valid document where the object sits, its required and optional keys, and its bounds, so
// that a test can probe the reader at each place: the schema and the reader are held equal.
type S = Record<string, any>;

export interface Place {
  path: (string | number)[];
  schema: S;
}

export function resolve(root: S, s: S): S {
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) {
    const target = s.$ref
      .slice(2)
      .split('/')
      .reduce((o: S, k: string) => o[k], root);
    const { $ref: _r, ...rest } = s;
    return { ...resolve(root, target), ...rest };
  }
  return s;
}

/** Every object schema with properties that the document `doc` holds, with its path. */
export function objectPlaces(root: S, doc: unknown, s: S = root, path: (string | number)[] = []): Place[] {
  const r = resolve(root, s);
  const out: Place[] = [];
  // A choice of shapes (e.g. an object or null): walk the branch that describes this document.
  const branches: S[] | undefined = r.type === undefined ? (r.anyOf ?? r.oneOf) : undefined;
  if (branches && doc && typeof doc === 'object') {
    const kind = Array.isArray(doc) ? 'array' : 'object';
    const b = branches.find((x) => resolve(root, x).type === kind);
    return b ? objectPlaces(root, doc, b, path) : out;
  }
  if (r.type === 'object' && r.properties && doc && typeof doc === 'object') {
    out.push({ path, schema: r });
    for (const [k, sub] of Object.entries(r.properties as S)) {
      if (k in (doc as S)) out.push(...objectPlaces(root, (doc as S)[k], sub as S, [...path, k]));
    }
    if (r.additionalProperties && typeof r.additionalProperties === 'object') {
      for (const k of Object.keys(doc as S)) if (!(k in r.properties)) out.push(...objectPlaces(root, (doc as S)[k], r.additionalProperties, [...path, k]));
    }
  } else if (r.type === 'object' && r.additionalProperties && typeof r.additionalProperties === 'object' && doc && typeof doc === 'object') {
    for (const k of Object.keys(doc as S)) out.push(...objectPlaces(root, (doc as S)[k], r.additionalProperties, [...path, k]));
  } else if (r.type === 'array' && Array.isArray(doc) && r.items) {
    doc.forEach((d, i) => out.push(...objectPlaces(root, d, r.items, [...path, i])));
  }
  return out;
}

export function getAt(doc: any, path: (string | number)[]): any {
  return path.reduce((o, k) => o[k], doc);
}

/** The reader's message names a path as `a.b`, `a["x.y"]` or `a[0]`. */
export function pathText(path: (string | number)[]): string {
  return path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? (p ? `${p}.${k}` : k) : `${p}[${JSON.stringify(k)}]`), '');
}
