/**
 * A run report without what differs between two runs of the same seed and options on two
 * machines or platforms: wall-clock times and rates, and where the hardware model was read from
 * (a path on disk, or the page's bundled copy). Everything else — accuracies, every counter,
 * energies, latencies, the pipeline — must be equal bit for bit.
 */
const CLOCK_KEYS = new Set(['seconds', 'wallSeconds', 'samplesPerSecond', 'throughput', 'teacherSeconds']);

export function comparable(report: unknown): unknown {
  const walk = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (CLOCK_KEYS.has(k)) continue;
      if (path === '.cost.model' && k === 'path') continue;
      // The page has no threads: its teacher runs in-thread (the same bits; asked for here).
      if (path === '.options' && k === 'teacherWorker') continue;
      // The CLI's table gives every run the NIR time step (--dt); it acts only on a NIR --net, which the page has none of.
      if (path === '.options' && k === 'dt') continue;
      out[k] = walk(x, `${path}.${k}`);
    }
    return out;
  };
  return walk(report, '');
}
