import type { FlowContext } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { ui, type Block, type Button, type OutboundMessage } from '../../src/core/messages.js';
import { reviewerLabel } from './render.js';

const MAX_BUTTONS = 20;

/**
 * The `/lc feedback` overview. Members and resource persons: reviews to write (with Write/Continue)
 * and feedback received per round (with Open and Consolidate). Coordinators: per member of each open
 * round, reviews done and pending and feedback received, at a glance.
 */
export async function feedbackOverview(ctx: FlowContext): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const db = ctx.services.db;
  const date = (d: Date) => formatDate(d, person.timeZone, person.locale);
  const blocks: Block[] = [ui.heading(t('feedback:overview.title'))];
  const buttons: Button[] = [];

  const toWrite = await db.feedbackAssignment.findMany({
    where: { reviewerId: person.id, round: { status: { in: ['OPEN', 'CLOSED'] } } },
    include: { round: { include: { cluster: true } }, plan: { include: { author: true } }, feedback: { select: { id: true } } },
    orderBy: [{ round: { deadline: 'asc' } }, { id: 'asc' }],
  });
  if (toWrite.length) {
    const lines = toWrite.map((a) => `- ${t('feedback:overview.reviewLine', { author: a.plan.author.displayName, cluster: a.round.cluster.code, deadline: date(a.round.deadline), status: t(`feedback:status.${a.status}`) })}`);
    blocks.push(ui.paragraph(`**${t('feedback:overview.toWrite')}**\n${lines.join('\n')}`));
    for (const a of toWrite.filter((x) => x.status !== 'SUBMITTED' && x.round.status === 'OPEN')) {
      buttons.push(ui.openButton(t(a.status === 'PENDING' ? 'feedback:overview.write' : 'feedback:overview.continue', { author: a.plan.author.displayName }), 'feedback:write', a.id, 'primary'));
    }
    // What I sent, with its thread, so I can answer the author.
    for (const a of toWrite.filter((x) => x.status === 'SUBMITTED' && x.feedback)) buttons.push(ui.openButton(t('feedback:overview.sent', { author: a.plan.author.displayName }), 'feedback:open', a.feedback!.id));
  }

  const myRounds = await db.feedbackRound.findMany({
    where: { status: { in: ['OPEN', 'CLOSED'] }, assignments: { some: { plan: { authorId: person.id } } } },
    include: { cluster: true, consolidatedVersions: { where: { plan: { authorId: person.id } } }, assignments: { where: { plan: { authorId: person.id } }, include: { reviewer: true, feedback: true }, orderBy: { id: 'asc' } } },
    orderBy: { createdAt: 'desc' },
  });
  for (const round of myRounds) {
    const delivered = round.assignments.filter((a) => a.feedback?.deliveredAt);
    const submittedHeld = round.assignments.filter((a) => a.feedback?.submittedAt && !a.feedback.deliveredAt).length;
    const lines = [t('feedback:overview.receivedLine', { cluster: round.cluster.code, received: delivered.length, total: round.assignments.length, deadline: date(round.deadline) })];
    if (submittedHeld) lines.push(t('feedback:overview.held', { count: submittedHeld, deadline: date(round.deadline) }));
    if (round.consolidatedVersions.length) lines.push(t('feedback:overview.consolidated', { number: round.consolidatedVersions[0].number }));
    blocks.push(ui.paragraph(`**${t('feedback:overview.received')}**\n${lines.join('\n')}`));
    for (const a of delivered) buttons.push(ui.openButton(t('feedback:overview.open', { label: reviewerLabel(t, round, round.assignments, a) }), 'feedback:open', a.feedback!.id));
    if (delivered.length && !round.consolidatedVersions.length) buttons.push(ui.openButton(t('feedback:view.consolidate'), 'feedback:consolidate', round.id));
  }

  const coordinated = await db.feedbackRound.findMany({
    where: { status: { in: ['OPEN', 'CLOSED'] }, cluster: { memberships: { some: { personId: person.id, role: 'COORDINATOR', status: 'ACTIVE' } } } },
    include: { cluster: true, assignments: { include: { reviewer: true, plan: { include: { author: true } }, feedback: true } } },
    orderBy: { createdAt: 'desc' },
    take: 5,
  });
  for (const round of coordinated) {
    const people = new Map<string, { name: string; done: number; assigned: number; received: number; reviewers: number }>();
    const row = (id: string, name: string) => people.get(id) ?? people.set(id, { name, done: 0, assigned: 0, received: 0, reviewers: 0 }).get(id)!;
    for (const a of round.assignments) {
      const reviewer = row(a.reviewerId, a.reviewer.displayName);
      reviewer.assigned++;
      if (a.status === 'SUBMITTED') reviewer.done++;
      const author = row(a.plan.authorId, a.plan.author.displayName);
      author.reviewers++;
      if (a.status === 'SUBMITTED') author.received++;
    }
    const lines = [...people.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => `- ${t('feedback:overview.memberLine', { name: p.name, done: p.done, pending: p.assigned - p.done, received: p.received, reviewers: p.reviewers })}`);
    const status = round.status === 'OPEN' ? t('feedback:overview.open_round', { deadline: date(round.deadline) }) : t('feedback:overview.closed_round');
    blocks.push(ui.paragraph(`**${t('feedback:overview.coordinatorTitle', { cluster: round.cluster.code })}** (${status})\n${lines.join('\n')}`));
  }

  if (blocks.length === 1) blocks.push(ui.paragraph(t('feedback:overview.nothing')));
  if (buttons.length) blocks.push(ui.actions(...buttons.slice(0, MAX_BUTTONS)));
  return ui.message(t('feedback:overview.title'), blocks, { ephemeral: true });
}
