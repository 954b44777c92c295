import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { meFlow } from './me.js';
import { reportFlow } from './report.js';
import { resultsFlow } from './results.js';
import { surveyFlow } from './survey/index.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [helpFlow, meFlow, surveyFlow, resultsFlow, reportFlow];
