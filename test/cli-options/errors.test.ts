import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, exitStatusFor, InputError, renderValue, UnsupportedError } from '../../src/io/errors.js';

describe('InputError', () => {
  it('names the field, what was expected and what was given', () => {
    const e = new InputError('layers[1].weights[0]', 'an array of 3 finite numbers', [0.2, 'x']);
    expect(e.message).toBe('case field "layers[1].weights[0]": expected an array of 3 finite numbers, got [0.2, "x"]');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InputError');
    expect(e.field).toBe('layers[1].weights[0]');
    expect(e.expected).toBe('an array of 3 finite numbers');
    expect(e.got).toEqual([0.2, 'x']);
  });
  it('renders an absent value as nothing, and takes a kind and a note', () => {
    expect(new InputError('label', 'an integer').message).toBe('case field "label": expected an integer, got nothing');
    expect(new InputError('--stpes', 'a known option', undefined, { kind: 'option', showGot: false, note: 'did you mean --steps?' }).message)
      .toBe('option "--stpes": expected a known option (did you mean --steps?)');
  });
  it('exits with status 2, UnsupportedError included', () => {
    expect(EXIT_BAD_INPUT).toBe(2);
    const u = new UnsupportedError('rule.name', 'bptt', ['ltl-online', 'ltl-offline']);
    expect(u).toBeInstanceOf(InputError);
    expect(u.name).toBe('UnsupportedError');
    expect(u.message).toBe('case field "rule.name": "bptt" is not supported yet (supported: ltl-online, ltl-offline)');
    expect(exitStatusFor(u)).toBe(2);
    expect(exitStatusFor(new InputError('x', 'y', 1))).toBe(2);
    expect(exitStatusFor(new Error('bug'))).toBe(1);
  });
});

describe('renderValue', () => {
  it('keeps it short', () => {
    expect(renderValue('x'.repeat(100))).toBe(JSON.stringify('x'.repeat(40) + '…'));
    expect(renderValue([1, 2, 3, 4, 5, 6, 7, 8])).toBe('[1, 2, 3, 4, 5, 6, … 2 more]');
    expect(renderValue([[[1]]])).toBe('[[[… 1 item]]]');
    expect(renderValue({ a: 1, b: { c: { d: 1 } } })).toBe('{"a": 1, "b": {"c": {…}}}');
    expect(renderValue(-0)).toBe('-0');
    expect(renderValue(NaN)).toBe('NaN');
    expect(renderValue(null)).toBe('null');
    expect(renderValue([])).toBe('[]');
  });
  it('never throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(renderValue(cyclic)).toBe('{"self": {"self": {…}}}');
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(renderValue(hostile)).toBe('an unprintable value');
  });
});
