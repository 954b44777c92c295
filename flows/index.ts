import type { Flow } from '../src/core/flow.js';
import { helpFlow } from './help.js';
import { meFlow } from './me.js';
import { assignFlow } from './clusters/assign.js';
import { createFlow } from './clusters/create.js';
import { inviteFlow } from './clusters/invite.js';
import { joinFlow } from './clusters/join.js';
import { leaveFlow } from './clusters/leave.js';
import { membersFlow } from './clusters/members.js';
import { forgetMeFlow, myDataFlow } from './clusters/my-data.js';
import { statusFlow } from './clusters/status.js';
import { timelineFlow } from './clusters/timeline.js';

/** Every flow the bot runs. A new flow is added here and nowhere else. */
export const allFlows: Flow<any>[] = [helpFlow, meFlow, joinFlow, createFlow, timelineFlow, inviteFlow, membersFlow, assignFlow, statusFlow, leaveFlow, myDataFlow, forgetMeFlow];
