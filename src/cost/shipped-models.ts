/**
 * The shipped hardware models, bundled (a browser has no hw-models/ folder to read): the text of
 * each hw-models/NAME.json, under the path the playground's platform serves it at. Node reads the
 * same files from disk (src/node/platform.ts); a test checks the two are equal.
 */
import generic45 from '../../hw-models/generic45.json' with { type: 'json' };
import loihi2018 from '../../hw-models/loihi-2018.json' with { type: 'json' };
import loihi from '../../hw-models/loihi.json' with { type: 'json' };
import rram from '../../hw-models/rram.json' with { type: 'json' };
import xylo from '../../hw-models/xylo.json' with { type: 'json' };

/** Folder name under which the bundled models are served. */
export const SHIPPED_MODELS_DIR = 'hw-models';

/** `hw-models/NAME.json` -> the model's JSON. */
export const SHIPPED_MODEL_FILES: Record<string, unknown> = {
  'hw-models/generic45.json': generic45,
  'hw-models/loihi-2018.json': loihi2018,
  'hw-models/loihi.json': loihi,
  'hw-models/rram.json': rram,
  'hw-models/xylo.json': xylo,
};
