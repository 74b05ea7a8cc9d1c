/** The package's version, for `ncsim --version` (its one home is src/io/version.ts: checkpoints record it too). */
export { packageVersion } from '../io/version.js';
