/** Every command with an option table, for help and the generated option docs. */
import type { CommandSpec } from './options.js';
import { COMMANDS } from './commands.js';
import { SWEEP, WORKER } from './sweep-command.js';
import { CASES } from './cases-command.js';
import { SERVE } from './serve-command.js';

export const ALL_COMMANDS: CommandSpec[] = [...COMMANDS, SWEEP, WORKER, CASES, SERVE];
