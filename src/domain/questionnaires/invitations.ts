import type { Services } from '../../core/flow.js';
import { formatDateTime } from '../../core/format.js';
import { translator } from '../../core/i18n.js';
import { ui } from '../../core/messages.js';
import { localise, type QuestionnaireDefinition } from './definition.js';
import { openRun, takeReminderTargets } from './runs.js';

/**
 * Opens a run and invites every member asked, in their own language and time zone. This is what
 * the scheduler's job calls when a run's phase begins (and what "send now" calls directly).
 * Safe to repeat: a run already open invites nobody again. Returns how many were reached.
 */
export async function openRunAndInvite(services: Services, runId: string): Promise<{ invited: number; delivered: number }> {
  const personIds = await openRun(services.db, runId, services.clock.now());
  if (!personIds.length) return { invited: 0, delivered: 0 };
  let delivered = 0;
  for (const personId of personIds) {
    const result = await services.notifier.notify(personId, await runMessage(services, runId, personId, 'invite'));
    if (result.delivered) delivered++;
  }
  return { invited: personIds.length, delivered };
}

/** Reminds the people who have not answered, at most the run's reminder limit each (two by default). */
export async function remindNonRespondents(services: Services, runId: string): Promise<number> {
  const targets = await takeReminderTargets(services.db, runId, services.clock.now());
  let delivered = 0;
  for (const personId of targets) {
    const result = await services.notifier.notify(personId, await runMessage(services, runId, personId, 'remind'));
    if (result.delivered) delivered++;
  }
  return delivered;
}

async function runMessage(services: Services, runId: string, personId: string, kind: 'invite' | 'remind') {
  const person = await services.db.person.findUniqueOrThrow({ where: { id: personId } });
  const run = await services.db.questionnaireRun.findUniqueOrThrow({ where: { id: runId }, include: { questionnaire: true, cluster: true } });
  const t = translator(person.locale);
  const definition = run.questionnaire.definition as unknown as QuestionnaireDefinition;
  const title = localise(definition.title, person.locale);
  const vars = { title, cluster: run.cluster.code, closes: formatDateTime(run.closesAt, person.timeZone, person.locale) };
  const text = t(`surveys:${kind}.text`, vars);
  return ui.message(text, [
    ui.paragraph(text),
    ...(run.anonymous ? [ui.context(t('surveys:anonymousNote'))] : []),
    ui.actions(ui.openButton(t('surveys:buttons.oneByOne'), 'survey:begin', runId, 'primary'), ui.openButton(t('surveys:buttons.asForm'), 'survey:form', runId)),
  ]);
}
