import { defineFlow, type FlowContext, type FlowPosition, type FlowResult } from '../../src/core/flow.js';
import { formatDateTime } from '../../src/core/format.js';
import { ui, type Block, type InboundEvent } from '../../src/core/messages.js';
import { localise, type QuestionnaireDefinition } from '../../src/domain/questionnaires/definition.js';
import { closeDueRuns, openRunsFor } from '../../src/domain/questionnaires/runs.js';
import { answerOne, answerTyped, beginOneByOne, decode, showWholeForm, submitOne, submitWholeForm } from './answering.js';
import { SURVEY_ANSWERS, answersView } from './answers-view.js';
import { formOf } from './one-form.js';
import { startSend, submitSend } from './send.js';
import { surveyStateSchema, type SurveyState } from './state.js';

/**
 * `/lc survey`: members see and answer their open questionnaires; coordinators also see their
 * clusters' runs at a glance and send new ones (`/lc survey send`).
 */
export const surveyFlow = defineFlow<SurveyState>({
  name: 'survey',
  version: 1,
  schema: surveyStateSchema,
  commands: [{ verb: 'survey', summaryKey: 'surveys:summary.survey', usageKey: 'surveys:usage.survey', audience: ['MEMBER', 'COORDINATOR'], common: true }],
  async start(ctx, { args }) {
    const words = args.split(/\s+/).filter(Boolean);
    if (words[0]?.toLowerCase() === 'send') return startSend(ctx, words.slice(1));
    return { replies: [await listMessage(ctx)], next: null };
  },
  accepts: { actions: { 'survey:begin': '{run}', 'survey:change': '{run}', 'survey:form': '{run}', 'survey:answer': '{run}|feedback_useful|4', 'survey:skip': '{run}|feedback_useful', 'survey:keep': '{run}|feedback_useful', [SURVEY_ANSWERS]: '{run}' }, forms: ['survey:all', 'survey:one', 'survey:send'] },
  async handle(ctx, event, position) {
    const result = await handleSurvey(ctx, event, position);
    // Answering an anonymous run: nothing of it is kept in the person's stored (web chat) conversation.
    const runId = event.type === 'action' ? decode(event.value)[0] : position?.data.runId;
    const run = runId ? await ctx.services.db.questionnaireRun.findUnique({ where: { id: runId }, select: { anonymous: true } }) : null;
    const sending = event.type === 'form' && event.formId === 'survey:send';
    if (run?.anonymous && !sending) result.replies = result.replies.map((m) => ({ ...m, unrecorded: true }));
    return result;
  },
});

/** Buttons, forms and typed answers of the survey flow. */
async function handleSurvey(ctx: FlowContext, event: InboundEvent, position: FlowPosition<SurveyState> | null): Promise<FlowResult<SurveyState>> {
  if (event.type === 'action') {
    const [runId, key, value] = decode(event.value);
    switch (event.actionId) {
      case SURVEY_ANSWERS:
        return { replies: [await answersView(ctx, runId)] };
      case 'survey:begin':
        return beginOneByOne(ctx, runId, false);
      case 'survey:change':
        return beginOneByOne(ctx, runId, true);
      case 'survey:form':
        return showWholeForm(ctx, runId);
      case 'survey:answer':
        return answersNow(runId, await answerOne(ctx, runId, key, value));
      case 'survey:skip':
        return answersNow(runId, await answerOne(ctx, runId, key, undefined));
      case 'survey:keep':
        return answersNow(runId, await answerOne(ctx, runId, key, undefined, true));
    }
  }
  if (event.type === 'form') {
    if (event.formId === 'survey:send') return submitSend(ctx, event.values);
    const runId = position?.data.runId;
    if (!runId) return stale(ctx);
    if (event.formId === 'survey:all') return answersNow(runId, await submitWholeForm(ctx, runId, event.values));
    if (event.formId === 'survey:one' && position?.data.questionKey) {
      return answersNow(runId, await submitOne(ctx, runId, position.data.questionKey, await formOf(ctx, runId, position.data.questionKey), event.values));
    }
  }
  if (event.type === 'text' && position?.step === 'question' && position.data.runId && position.data.questionKey) {
    return answerTyped(ctx, position.data.runId, position.data.questionKey, event.text);
  }
  return stale(ctx);
}

/**
 * Answers given: the reply names the person's answers to the run as their current view, so the same
 * button or form used again answers "already done" with the answers as they are then, not the first reply.
 */
function answersNow(runId: string, result: FlowResult<SurveyState>): FlowResult<SurveyState> {
  const [first, ...rest] = result.replies;
  if (!first) return result;
  return { ...result, replies: [{ ...first, current: { actionId: SURVEY_ANSWERS, value: runId } }, ...rest] };
}

function stale(ctx: FlowContext): FlowResult<SurveyState> {
  return { replies: [ui.message(ctx.t('notUnderstood'), [ui.paragraph(ctx.t('notUnderstood')), ui.actions(ui.commandButton(ctx.t('surveys:list.title'), 'survey'))], { ephemeral: true })] };
}

async function listMessage(ctx: FlowContext) {
  const { t, person, services } = ctx;
  const now = services.clock.now();
  // Runs past their closing time are closed here too (erasing anonymous keys), whether or not a scheduler job did it yet.
  await closeDueRuns(services.db, now);
  const blocks: Block[] = [ui.heading(t('surveys:list.title'))];
  const open = await openRunsFor(services.db, person.id, now);
  if (!open.length) blocks.push(ui.paragraph(t('surveys:list.none')));
  for (const run of open) {
    const closes = formatDateTime(run.closesAt, person.timeZone, person.locale);
    blocks.push(ui.paragraph(`${t('surveys:list.item', { title: localise(run.title, person.locale), cluster: run.clusterCode, closes })}\n${t(run.answered ? 'surveys:list.answered' : 'surveys:list.notAnswered')}`));
    blocks.push(
      ui.actions(
        run.answered ? ui.openButton(t('surveys:buttons.change'), 'survey:change', run.id, 'primary') : ui.openButton(t('surveys:buttons.oneByOne'), 'survey:begin', run.id, 'primary'),
        ui.openButton(t('surveys:buttons.asForm'), 'survey:form', run.id),
      ),
    );
  }

  // Coordinators: every run of their clusters, with status and response counts, at a glance.
  const coordinated = await services.db.questionnaireRun.findMany({
    where: { cluster: { memberships: { some: { personId: person.id, role: 'COORDINATOR', status: 'ACTIVE' } } } },
    include: { questionnaire: true, cluster: true, _count: { select: { participations: true } } },
    orderBy: { opensAt: 'desc' },
    take: 15,
  });
  const isCoordinator = (await services.db.membership.count({ where: { personId: person.id, role: 'COORDINATOR', status: 'ACTIVE' } })) > 0;
  if (isCoordinator) {
    blocks.push(ui.divider(), ui.heading(t('surveys:list.coordinatorTitle')));
    for (const run of coordinated) {
      const responded = await services.db.response.count({ where: { runId: run.id, answers: { some: {} } } });
      const when =
        run.status === 'SCHEDULED'
          ? t('surveys:list.opensAt', { date: formatDateTime(run.opensAt, person.timeZone, person.locale) })
          : run.status === 'OPEN'
            ? t('surveys:list.closesAt', { date: formatDateTime(run.closesAt, person.timeZone, person.locale) })
            : '';
      const title = localise((run.questionnaire.definition as unknown as QuestionnaireDefinition).title, person.locale);
      blocks.push(ui.paragraph(`- ${t('surveys:list.coordinatorItem', { title, cluster: run.cluster.code, status: t(`surveys:list.status.${run.status}`), responded, invited: Math.max(run._count.participations, responded), when })}`));
    }
    blocks.push(ui.actions(ui.commandButton(t('surveys:buttons.send'), 'survey send', 'primary'), ui.commandButton(t('surveys:buttons.results'), 'results')));
  }
  return ui.message(t('surveys:list.title'), blocks, { ephemeral: true });
}
