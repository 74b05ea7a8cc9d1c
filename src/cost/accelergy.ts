/**
 * Accelergy action counts of a run (`--accelergy`): the activity's counts per component
 * instance of the mapped chip.
 */
import type { Activity } from './activity.js';
import { ACTIONS } from './actions.js';
import type { Mapping } from './mapping.js';
import type { PhaseName } from './cost.js';
import { PHASE_NAMES } from './cost.js';
import { apportion, count, nocRoutes, InputSource } from './noc.js';
import { formatValue, nameSafe } from './stats.js';


/**
 * The activity's action counts per component instance in Accelergy's `action_counts` YAML shape
 * (written by hand: the shape is a fixed two-level list). Components: `core[i].<circuit>` with
 * the counter's second part as action (`synapse.read` -> component `synapse`, action `read`),
 * `core[i].router` (send, receive), `noc` (hop_x, hop_y) and `barrier` (sync, once per step).
 * A layer's counts are split over its cores as whole numbers (largest remainders, so the
 * per-core counts sum exactly to the layer's); a row activation (`synapse.event`) is counted
 * in full on every core of the layer. `phase` picks the train or test counts, or their sum.
 */
export function accelergyActionCounts(activity: Activity, mapping: Mapping, phase: PhaseName | 'all' = 'all', inputSource: InputSource = 'port'): string {
  const chip = nameSafe(mapping.capacity.chip);
  const comps = new Map<string, Map<string, number>>();
  const add = (comp: string, action: string, n: number) => {
    if (n === 0) return;
    let m = comps.get(comp);
    if (!m) comps.set(comp, (m = new Map()));
    m.set(action, (m.get(action) ?? 0) + n);
  };
  const phases = phase === 'all' ? PHASE_NAMES : [phase];
  let steps = 0;
  for (const pn of phases) {
    const ph = activity.phases[pn];
    steps += ph.steps;
    activity.layers.forEach((layer, li) => {
      const slices = mapping.layers[li].slices;
      for (const a of ACTIONS) {
        const c = count(ph, layer.name, a.name);
        if (c === 0) continue;
        const dot = a.name.indexOf('.');
        const comp = a.name.slice(0, dot), action = a.name.slice(dot + 1);
        const parts = a.replicated ? slices.map(() => c) : apportion(c, slices.map((s) => s.neurons), layer.nOut);
        slices.forEach((s, i) => add(`core[${s.core}].${comp}`, action, parts[i]));
      }
    });
    for (const r of nocRoutes(activity, ph, mapping, apportion, inputSource)) {
      if (r.src >= 0) add(`core[${r.src}].router`, 'send', r.packets);
      add(`core[${r.dst}].router`, 'receive', r.packets);
      add('noc', 'hop_x', r.packets * r.dx);
      add('noc', 'hop_y', r.packets * r.dy);
    }
  }
  add('barrier', 'sync', steps);

  const order = (name: string): [number, number, string] => {
    const m = /^core\[(\d+)\]\.(.*)$/.exec(name);
    return m ? [0, Number(m[1]), m[2]] : [1, 0, name];
  };
  const names = [...comps.keys()].sort((a, b) => {
    const x = order(a), y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
  });
  const lines = [
    `# Accelergy action counts written by ncsim: rule ${activity.rule}, phase ${phase}, chip ${mapping.capacity.chip}`,
    'action_counts:',
    "  version: '0.4'",
    '  local:',
  ];
  for (const n of names) {
    lines.push(`  - name: system.${chip}.${n}`);
    lines.push('    action_counts:');
    for (const [action, c] of comps.get(n) as Map<string, number>) {
      lines.push(`    - name: ${action}`);
      lines.push(`      counts: ${formatValue(c)}`);
    }
  }
  return lines.join('\n') + '\n';
}

