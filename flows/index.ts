import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { linkFlow } from './link.js';
import { meFlow } from './me.js';
import { planFlow } from './plan/index.js';
import { askFlow } from './questions/ask.js';
import { faqFlow } from './questions/faq.js';
import { questionsFlow } from './questions/respond.js';
import { reportFlow } from './report.js';
import { resultsFlow } from './results.js';
import { surveyFlow } from './survey/index.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [helpFlow, meFlow, linkFlow, askFlow, faqFlow, questionsFlow, planFlow, surveyFlow, resultsFlow, reportFlow];
