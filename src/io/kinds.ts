/**
 * The identities of the documents ncsim writes and reads back (`"kind"` + `"schemaVersion"`),
 * declared once so that every reader (report, compare, cost, robustness) refuses another kind or
 * version the same way (src/io/document.ts, checkDocumentSchema).
 */
import type { DocumentSchema } from './document.js';

/** A train report, `ncsim train --out` (src/train/train.ts, TrainReport). */
export const RUN_SCHEMA = { field: 'kind', value: 'ncsim.train', versions: [1], writtenBy: '`ncsim train --out`' } as const satisfies DocumentSchema;

/** A robustness study, `ncsim robustness --out` (src/robustness/robustness.ts). */
export const ROBUSTNESS_SCHEMA = { field: 'kind', value: 'ncsim.robustness', versions: [1], writtenBy: '`ncsim robustness --out`' } as const satisfies DocumentSchema;

/** A training checkpoint's manifest, `ncsim train --checkpoint DIR` (src/train/checkpoint.ts, docs/checkpoints.md). */
export const CHECKPOINT_SCHEMA = { field: 'kind', value: 'ncsim.checkpoint', versions: [1], writtenBy: '`ncsim train --checkpoint`' } as const satisfies DocumentSchema;
/** Several seeds of one training, `ncsim train --seeds ... --out` (src/cli/train-seeds.ts). */
export const SEEDS_SCHEMA = { field: 'kind', value: 'ncsim.train-seeds', versions: [1], writtenBy: '`ncsim train --seeds ... --out`' } as const satisfies DocumentSchema;
