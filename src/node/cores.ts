/**
 * The cores this process may use for `--threads auto` and `--teacher-worker auto`: Node's
 * availableParallelism(), or fewer where the process that started it shares the machine out
 * (a sweep running several configurations at once sets NCSIM_CORES to each one's share).
 */
import { availableParallelism } from 'node:os';

/** The environment variable that caps the cores a run counts as its own. */
export const CORES_ENV = 'NCSIM_CORES';

/** Cores for this process: NCSIM_CORES when it is a whole number from 1 to the machine's, else the machine's. */
export function processCores(env: NodeJS.ProcessEnv = process.env): number {
  const all = availableParallelism(), v = Number(env[CORES_ENV]);
  return Number.isInteger(v) && v >= 1 ? Math.min(v, all) : all;
}
