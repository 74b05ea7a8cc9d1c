/**
 * Corrupt and truncated files: every reader either refuses with an InputError or returns a
 * well-formed recording; never another kind of error, never a hang (each run is timed).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/io/errors.js';
import { encodeAedat2, encodeCsv, encodeNmnist, parseEvents, type EventRecording, type ReadOptions } from '../../src/host/events/formats.js';
import { binEvents, frameShape } from '../../src/host/events/frames.js';
import { Rng } from '../../src/host/rng.js';

function sampleStream(n: number, side: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Uint16Array(n), y = new Uint16Array(n), t = new Float64Array(n), p = new Uint8Array(n);
  let time = 0;
  for (let i = 0; i < n; i++) {
    x[i] = rng.int(side);
    y[i] = rng.int(side);
    time += rng.int(200);
    t[i] = time;
    p[i] = rng.int(2);
  }
  return { x, y, t, p, n };
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function aedat3Sample(): Uint8Array {
  const head = Array.from('#!AER-DAT3.1\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n', (c) => c.charCodeAt(0));
  const out = [...head];
  for (let pkt = 0; pkt < 3; pkt++) {
    const n = 6;
    out.push(1, 0, 1, 0, ...le32(8), ...le32(4), ...le32(0), ...le32(n), ...le32(n), ...le32(n));
    for (let k = 0; k < n; k++) out.push(...le32((((k * 7) % 128) << 17) | (((k * 5) % 128) << 2) | ((k & 1) << 1) | 1), ...le32(pkt * 1000 + k * 10));
  }
  return Uint8Array.from(out);
}

const samples: [string, Uint8Array][] = [
  ['s.bin', encodeNmnist(sampleStream(60, 34, 1))],
  ['s.aedat', encodeAedat2(sampleStream(40, 128, 2))],
  ['s3.aedat', aedat3Sample()],
  ['s.csv', new TextEncoder().encode(encodeCsv(sampleStream(40, 34, 3)))],
];

/** Reads, and checks the result is well formed when there is one. */
function readOrRefuse(bytes: Uint8Array, name: string, opts: ReadOptions = {}): 'ok' | 'refused' {
  let rec: EventRecording;
  try {
    rec = parseEvents(bytes, name, opts);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.message).toContain(name);
    return 'refused';
  }
  const ev = rec.events;
  expect(ev.x.length).toBe(ev.n);
  expect(ev.y.length).toBe(ev.n);
  expect(ev.t.length).toBe(ev.n);
  expect(ev.p.length).toBe(ev.n);
  for (let i = 0; i < ev.n; i++) {
    expect(ev.x[i]).toBeLessThan(rec.width);
    expect(ev.y[i]).toBeLessThan(rec.height);
    expect(ev.p[i] === 0 || ev.p[i] === 1).toBe(true);
    expect(Number.isFinite(ev.t[i])).toBe(true);
  }
  // a valid recording always bins
  if (ev.n > 0) {
    const opts = { steps: 3, width: rec.width, height: rec.height, polarity: 'split' as const, mode: 'count' as const };
    const out = new Float32Array(3 * frameShape(opts).size);
    expect(binEvents(ev, opts, out)).toBe(ev.n);
  }
  return 'ok';
}

describe('corrupt event files', () => {
  it('the unmodified samples read', () => {
    for (const [name, bytes] of samples) expect(readOrRefuse(bytes, name)).toBe('ok');
  });

  for (const [name, bytes] of samples) {
    it(`${name}: random byte flips give an InputError or a valid recording`, () => {
      const seen = { ok: 0, refused: 0 };
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.boolean(),
          (flips, allowTruncated) => {
            const b = bytes.slice();
            for (const [i, v] of flips) b[i] ^= v;
            seen[readOrRefuse(b, name, { allowTruncated })]++;
          },
        ),
        { numRuns: 150, seed: 7 },
      );
      // both outcomes happen, so the property tests something on each side (in CSV text almost
      // every flip breaks a line, so only refusals are certain there)
      if (!name.endsWith('.csv')) expect(seen.ok).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    });

    it(`${name}: random truncation gives an InputError or a valid recording`, () => {
      fc.assert(
        fc.property(fc.nat({ max: bytes.length }), fc.boolean(), (len, allowTruncated) => {
          readOrRefuse(bytes.subarray(0, len), name, { allowTruncated });
        }),
        { numRuns: 150, seed: 11 },
      );
    });
  }

  it('random bytes under every name give an InputError or a valid recording', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('r.bin', 'r.aedat', 'r.csv', 'r.dat', 'r.xyz'), (bytes, name) => {
        readOrRefuse(bytes, name);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('random bytes after an AEDAT magic line give an InputError or a valid recording', () => {
    fc.assert(
      fc.property(fc.constantFrom('#!AER-DAT2.0\r\n', '#!AER-DAT3.1\r\n#!END-HEADER\r\n', '#!AER-DAT1.0\n'), fc.uint8Array({ maxLength: 400 }), (head, body) => {
        const bytes = new Uint8Array(head.length + body.length);
        for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
        bytes.set(body, head.length);
        readOrRefuse(bytes, 'm.aedat', { timeTolerance: Infinity });
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
