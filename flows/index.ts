import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { homeFlow } from './home.js';
import { meFlow } from './me.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [helpFlow, meFlow, homeFlow];
