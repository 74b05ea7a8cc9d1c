// The rule table (src/rules/table.ts) against the circuits it describes: every row's readout,
// timings, neuron-model needs, threshold learning and conv support are what the rule's chip
// accepts or refuses; and the readers of the table (case reader, train options) follow it.
import { describe, it, expect } from 'vitest';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import type { RuleName, UpdateAt } from '../../src/model/types.js';
import { RULES, RULE_TABLE, RULE_OPTION_DEFAULTS, TRAIN_RULE_DEFAULTS, rulesUpdatingAt, updateAtFor } from '../../src/rules/table.js';
import { adaptSpec, createRule } from '../../src/rules/index.js';
import { parseCase } from '../../src/trace/case.js';
import { TRAIN_DEFAULTS, trainRuleOptions } from '../../src/train/train.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);

/** A 6-4-3 network; the last layer a readout when asked. */
function spec(o: { readout: boolean; delay?: 0 | 1; reset?: 'subtract' | 'zero' }): ChipSpec {
  const sizes = [6, 4, 3];
  return {
    inputSize: 6, reset: o.reset ?? 'subtract', delay: o.delay ?? 0, maxSteps: 4,
    layers: sizes.slice(1).map((nOut, l) => ({
      name: `l${l}`, nIn: sizes[l], nOut, weights: new Float32Array(sizes[l] * nOut).fill(0.3), bias: new Float32Array(nOut),
      threshold: F([1]), leak: F([0.9]), readout: o.readout && l === sizes.length - 2,
    })),
  };
}

const make = (rule: RuleName, s: ChipSpec, updateAt: UpdateAt = 'sample') =>
  () => new Chip(adaptSpec(rule, s), 'ts', createRule(rule, { ...RULE_OPTION_DEFAULTS, updateAt }));

describe('the rule table', () => {
  it('lists every rule once, with a positive learning rate and at least the per-sample timing', () => {
    expect(new Set(RULES).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(RULE_TABLE[r].learningRate).toBeGreaterThan(0);
      expect(RULE_TABLE[r].updateAt).toContain('sample');
    }
  });

  it('readout: a readout rule runs spiking layers + a readout and refuses all-spiking layers; an LTL rule the reverse', () => {
    for (const r of RULES) {
      const ro = RULE_TABLE[r].readout;
      expect(make(r, spec({ readout: ro }))).not.toThrow();
      expect(make(r, spec({ readout: !ro }))).toThrow(RangeError);
    }
  });

  it('updateAt: a rule writes at the timings its row lists and refuses the others', () => {
    for (const r of RULES) {
      for (const at of ['step', 'sample'] as const) {
        const build = make(r, spec({ readout: RULE_TABLE[r].readout }), at);
        if (RULE_TABLE[r].updateAt.includes(at)) expect(build).not.toThrow();
        else expect(build).toThrow(/exists for ltl-online, stop-w, stop-wtl only/);
      }
    }
    expect(rulesUpdatingAt('step')).toEqual(['ltl-online', 'stop-w', 'stop-wtl']);
    expect(rulesUpdatingAt('step', true)).toEqual(['ltl-online']);
    expect(RULES.map((r) => updateAtFor(r, 'step'))).toEqual(RULES.map((r) => (RULE_TABLE[r].updateAt.includes('step') ? 'step' : 'sample')));
  });

  it('needs: a rule that needs d = 0 and reset "subtract" refuses the others; the rest run with them', () => {
    for (const r of RULES) {
      const { readout, needs } = RULE_TABLE[r];
      const delayed = make(r, spec({ readout, delay: 1 })), zero = make(r, spec({ readout, reset: 'zero' }));
      if (needs.delay === 0) expect(delayed).toThrow(/delay/);
      else expect(delayed).not.toThrow();
      if (needs.reset === 'subtract') expect(zero).toThrow(/reset/);
      else expect(zero).not.toThrow();
    }
  });

  it('learnsThresholdLeak: only such a rule gets one threshold per neuron from adaptSpec', () => {
    for (const r of RULES) {
      const s = adaptSpec(r, spec({ readout: RULE_TABLE[r].readout }));
      expect(s.layers[0].threshold.length).toBe(RULE_TABLE[r].learnsThresholdLeak ? s.layers[0].nOut : 1);
    }
  });

  it('conv: the rule\'s circuits say they train convolutions as the row does', () => {
    for (const r of RULES) {
      const rule = createRule(r, { ...RULE_OPTION_DEFAULTS });
      expect(!!rule.trainsConv).toBe(RULE_TABLE[r].conv);
    }
  });
});

describe('readers of the table', () => {
  const caseDoc = (name: RuleName, o: { delay?: number; reset?: string; updateAt?: string } = {}) => ({
    format: 'ncsim.case/1',
    neuron: { leak: 1, threshold: 1, reset: o.reset ?? 'subtract', delay: o.delay ?? 0 },
    surrogate: { width: 1, height: 'unit' },
    rule: { name, learningRate: 0.1, ...(o.updateAt ? { updateAt: o.updateAt } : {}) },
    layers: [{ name: 'h', weights: [[1, 0], [0, 1]], bias: [0, 0] }, { name: 'o', weights: [[1, 1]], bias: [0] }],
    input: [[1, 0], [0, 1]],
    targets: { h: [0.5, 0.5], o: [0.5] },
    label: 0,
  });

  it('the case reader takes readout, timing and neuron-model needs from the table', () => {
    for (const r of RULES) {
      const c = parseCase(caseDoc(r));
      expect(c.label !== null).toBe(RULE_TABLE[r].readout);
      expect(c.targets !== null).toBe(!RULE_TABLE[r].readout);
      const step = () => parseCase(caseDoc(r, { updateAt: 'step' }));
      if (RULE_TABLE[r].caseUpdateAt.includes('step')) expect(step).not.toThrow();
      else expect(step).toThrow(/rule\.updateAt/);
      const delayed = () => parseCase(caseDoc(r, { delay: 1 }));
      if (RULE_TABLE[r].needs.delay === 0) expect(delayed).toThrow(/neuron\.delay/);
      else expect(delayed).not.toThrow();
    }
  });

  it('ncsim train builds each rule with the table\'s learning rate and TRAIN_RULE_DEFAULTS, at a timing it can do', () => {
    for (const r of RULES) {
      const o = trainRuleOptions({ ...TRAIN_DEFAULTS, rule: r });
      expect(o.learningRate).toBe(RULE_TABLE[r].learningRate);
      expect(RULE_TABLE[r].updateAt).toContain(o.updateAt);
      expect({ warmup: o.warmup, error: o.error, width: o.width, height: o.height })
        .toEqual({ warmup: TRAIN_RULE_DEFAULTS.warmup, error: TRAIN_RULE_DEFAULTS.error, width: TRAIN_RULE_DEFAULTS.width, height: TRAIN_RULE_DEFAULTS.height });
      expect(trainRuleOptions({ ...TRAIN_DEFAULTS, rule: r, lr: 0.5 }).learningRate).toBe(0.5);
    }
  });
});
