import { describe, expect, it } from 'vitest';
import { samplesNoun } from '../../src/report/samples-noun.js';
import { provenance } from '../../src/report/html/chart.js';
import type { ReportRun } from '../../src/report/html/types.js';

describe('what a report calls the samples', () => {
  it('digits for the built-in MNIST, samples for any other data set', () => {
    expect(samplesNoun(undefined)).toBe('digits');
    expect(samplesNoun('mnist')).toBe('digits');
    expect(samplesNoun('mnist-events')).toBe('digits');
    expect(samplesNoun('fashion-mnist')).toBe('samples');
    expect(samplesNoun('idx:/data/kmnist')).toBe('samples');
  });

  it('the HTML caption of a Fashion-MNIST run does not call its images digits', () => {
    const run = (data: string) => ({ options: { rule: 'ltl-online', samples: 600, epochs: 2, steps: 16, seed: 1, data } }) as unknown as ReportRun;
    expect(provenance(run('fashion-mnist'))).toContain('600 training samples');
    expect(provenance(run('mnist'))).toContain('600 training digits');
  });
});
