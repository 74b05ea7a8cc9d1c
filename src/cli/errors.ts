/** Moved to src/io/errors.ts (errors every layer raises). Kept only so branches written before the move still build; import from src/io/errors.ts. */
export * from '../io/errors.js';
