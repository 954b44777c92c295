import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { meFlow } from './me.js';
import { nudgesFlow } from './nudges.js';
import { snoozeFlow } from './snooze.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [helpFlow, meFlow, nudgesFlow, snoozeFlow];
