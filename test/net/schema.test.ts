// nets/ncsim.net.schema.json and the reader (src/net/file.ts) describe the same format: the same
// fields at every level, the same required ones, the same bounds; every shipped net is read.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { parseNet, ROOT_KEYS, LAYER_KEYS, MAX_DIM } from '../../src/net/file.js';
import { InputError } from '../../src/io/errors.js';

const dir = new URL('../../nets/', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('ncsim.net.schema.json', dir), 'utf8'));
const keys = (o: { properties: object }) => Object.keys(o.properties).sort();

const base = { format: 'ncsim.net/1', input: { channels: 1, height: 8, width: 8 } };
const minimal: Record<string, Record<string, unknown>> = {
  conv: { type: 'conv', channels: 2, kernel: 3 },
  pool: { type: 'pool', kernel: 2 },
  dense: { type: 'dense', units: 4 },
};
const netWith = (layer: Record<string, unknown>) => ({ ...base, layers: layer.type === 'dense' ? [layer] : [layer, { type: 'dense', units: 3 }] });

describe('the net file schema', () => {
  it('has the reader\'s fields at every level', () => {
    expect(keys(schema)).toEqual([...ROOT_KEYS].sort());
    expect(keys(schema.properties.input)).toEqual(['channels', 'height', 'width']);
    for (const t of ['conv', 'pool', 'dense'] as const) expect(keys(schema.$defs[t])).toEqual([...LAYER_KEYS[t]].sort());
    expect(schema.$defs.dim.maximum).toBe(MAX_DIM);
  });

  it('requires what the reader requires, and the reader accepts what the schema calls optional', () => {
    for (const t of ['conv', 'pool', 'dense'] as const) {
      const required: string[] = schema.$defs[t].required;
      expect(() => parseNet(netWith(minimal[t]))).not.toThrow();
      for (const k of Object.keys(minimal[t])) {
        const without = { ...minimal[t] };
        delete without[k];
        expect(required, `${t}.${k}`).toContain(k);
        expect(() => parseNet(netWith(without)), `${t} without ${k}`).toThrow(InputError);
      }
      expect(required.every((k) => k in minimal[t])).toBe(true);
      expect(() => parseNet(netWith({ ...minimal[t], bogus: 1 }))).toThrow(/bogus/);
    }
    expect(() => parseNet({ ...netWith(minimal.dense), $schema: './ncsim.net.schema.json' })).not.toThrow();
    expect(() => parseNet({ ...netWith(minimal.dense), $schema: 3 })).toThrow(/\$schema/);
  });

  it('every shipped net is read and names the schema', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'ncsim.net.schema.json');
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const json = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      expect(json.$schema, f).toBe('./ncsim.net.schema.json');
      expect(() => parseNet(json, f), f).not.toThrow();
    }
  });
});
