import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { homeFlow } from './home.js';
import { linkFlow } from './link.js';
import { meFlow } from './me.js';
import { languageFlow } from './language.js';
import { assignFlow } from './clusters/assign.js';
import { createFlow } from './clusters/create.js';
import { programmeWorkspacesFlow } from './clusters/programme-workspaces.js';
import { inviteFlow } from './clusters/invite.js';
import { joinFlow } from './clusters/join.js';
import { leaveFlow } from './clusters/leave.js';
import { membersFlow } from './clusters/members.js';
import { forgetMeFlow, myDataFlow } from './clusters/my-data.js';
import { statusFlow } from './clusters/status.js';
import { jointFlow } from './clusters/joint.js';
import { timelineFlow } from './clusters/timeline.js';
import { eventFlow } from './events/event.js';
import { wayForwardFlow } from './clusters/way-forward.js';
import { feedbackFlow } from './feedback/feedback.js';
import { feedbackRoundFlow } from './feedback/round.js';
import { nudgesFlow } from './nudges.js';
import { planFlow } from './plan/index.js';
import { practiceFlow } from './practice/index.js';
import { askFlow } from './questions/ask.js';
import { faqFlow } from './questions/faq.js';
import { questionsFlow } from './questions/respond.js';
import { reportFlow } from './report.js';
import { resultsFlow } from './results.js';
import { snoozeFlow } from './snooze.js';
import { surveyFlow } from './survey/index.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [
  helpFlow,
  meFlow,
  languageFlow,
  homeFlow,
  linkFlow,
  joinFlow,
  createFlow,
  programmeWorkspacesFlow,
  timelineFlow,
  eventFlow,
  jointFlow,
  wayForwardFlow,
  inviteFlow,
  membersFlow,
  assignFlow,
  statusFlow,
  leaveFlow,
  myDataFlow,
  forgetMeFlow,
  planFlow,
  practiceFlow,
  feedbackRoundFlow,
  feedbackFlow,
  askFlow,
  faqFlow,
  questionsFlow,
  surveyFlow,
  resultsFlow,
  reportFlow,
  nudgesFlow,
  snoozeFlow,
];
