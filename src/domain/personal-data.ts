import type { Db } from '../core/db.js';
import { escapeMarkup } from '../core/markup.js';
import { Prisma } from '../generated/prisma/client.js';

/**
 * Everything the bot stores about one person, as plain JSON, for `/lc my-data` (the right of access).
 * Anonymous questionnaire responses are not included: nothing links them to the person, by design.
 */
export async function exportPersonalData(db: Db, personId: string, now: Date) {
  const person = await db.person.findUniqueOrThrow({
    where: { id: personId },
    include: {
      organisation: true,
      identities: { select: { platform: true, externalId: true, createdAt: true, lastSeenAt: true, unreachableAt: true } },
      memberships: { include: { cluster: { select: { code: true, name: true } }, organisation: { select: { name: true } } } },
      registrations: { include: { preferences: { include: { cluster: { select: { code: true } } }, orderBy: { rank: 'asc' } }, assignedCluster: { select: { code: true } }, programme: { select: { name: true } } } },
      plans: { include: { activities: { orderBy: { position: 'asc' } }, versions: true, cluster: { select: { code: true } } } },
      reviews: { include: { feedback: true } },
      participations: true,
      responses: { include: { answers: true } },
      askedQuestions: { include: { answers: true } },
      answers: true,
      nudges: { select: { kind: true, dueAt: true, status: true } },
      timelineChanges: true,
      goodPracticeVersions: { select: { number: true, section: true, note: true, createdAt: true, practice: { select: { approach: true } } } },
      flowStates: { select: { flow: true, step: true, updatedAt: true } },
    },
  });
  const { identities, memberships, registrations, plans, reviews, participations, responses, askedQuestions, answers, nudges, timelineChanges, goodPracticeVersions, flowStates, organisation, ...profile } = person;
  return {
    exportedAt: now.toISOString(),
    profile: { ...profile, organisation: organisation?.name ?? null },
    platformAccounts: identities,
    memberships: memberships.map((m) => ({ cluster: m.cluster.code, clusterName: m.cluster.name, role: m.role, status: m.status, organisation: m.organisation?.name ?? null, topics: m.topics, since: m.createdAt })),
    registrations: registrations.map((r) => ({ ...r, preferences: r.preferences.map((p) => ({ rank: p.rank, cluster: p.cluster.code })), assignedCluster: r.assignedCluster?.code ?? null, programme: r.programme.name })),
    actionPlans: plans,
    feedbackGiven: reviews,
    questionnaireParticipation: participations,
    questionnaireResponses: responses,
    questionsAsked: askedQuestions,
    answersGiven: answers,
    plannedReminders: nudges,
    timelineChangesMade: timelineChanges,
    goodPracticeVersionsSaved: goodPracticeVersions.map((v) => ({ approach: v.practice.approach, version: v.number, section: v.section, note: v.note, savedAt: v.createdAt })),
    openConversations: flowStates,
  };
}

/** Counts of what a person has stored, for the summary message of `/lc my-data`. */
export function summariseExport(data: Awaited<ReturnType<typeof exportPersonalData>>) {
  return {
    accounts: data.platformAccounts.length,
    memberships: data.memberships.length,
    registrations: data.registrations.length,
    plans: data.actionPlans.length,
    feedback: data.feedbackGiven.length,
    responses: data.questionnaireResponses.length,
    questions: data.questionsAsked.length,
    answers: data.answersGiven.length,
  };
}

/**
 * `/lc forget-me` (the right to erasure). Personal fields are blanked or deleted; rows that feed
 * anonymous aggregates (how many registered, how many plans were submitted, feedback given, response
 * rates) stay, linked to a person row that no longer says who it was. Platform accounts are deleted,
 * so the bot cannot reach or recognise the person; writing to it again starts a new, empty person.
 */
export async function forgetPerson(db: Db, personId: string, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const { displayName, email } = await tx.person.findUniqueOrThrow({ where: { id: personId }, select: { displayName: true, email: true } });
    const questions = await tx.routedQuestion.findMany({ where: { askerId: personId, inFaq: false }, select: { text: true } });
    const ownPlans = await tx.actionPlan.findMany({ where: { authorId: personId }, select: { goal: true, change: true, targetGroup: true, beneficiaries: true, activities: { select: { activity: true, challenges: true, resources: true } } } });
    // What others were shown about them in the web chat (a resource person's "new question from …"
    // with their plan, a coordinator's notice naming them) leaves the other person's conversation too.
    await forgetInOthersWebChats(tx, personId, [
      displayName,
      email,
      ...questions.map((q) => q.text),
      ...ownPlans.flatMap((p) => [p.goal, p.change, p.targetGroup, p.beneficiaries, ...p.activities.flatMap((a) => [a.activity, a.challenges, a.resources])]),
    ]);
    await tx.person.update({
      where: { id: personId },
      data: { displayName: 'Erased person', email: null, country: null, position: null, organisationId: null, workingHours: Prisma.DbNull, snoozedUntil: null, paused: true, erasedAt: now },
    });
    // Their web chat conversation (their words and what the bot told them), found before the accounts go.
    const webIds = (await tx.platformIdentity.findMany({ where: { personId, platform: 'WEB' }, select: { externalId: true } })).map((i) => i.externalId);
    await tx.webChatMessage.deleteMany({ where: { OR: [{ personId }, { externalId: { in: webIds } }] } });
    // The uses of their one-time buttons keep the outcomes shown to them.
    await tx.actionUse.deleteMany({ where: { personId } });
    await tx.platformIdentity.deleteMany({ where: { personId } });
    await tx.flowState.deleteMany({ where: { personId } });
    // An open link code would let someone attach a new account to the erased person.
    await tx.linkCode.deleteMany({ where: { personId } });
    await tx.linkFailure.deleteMany({ where: { personId } });
    await tx.plannedNudge.deleteMany({ where: { personId, status: 'PLANNED' } });
    await tx.membership.updateMany({ where: { personId }, data: { status: 'LEFT', topics: [] } });
    await tx.registration.updateMany({
      where: { personId },
      data: { organisationName: '', position: null, country: null, languages: [], caseDescription: null, assignedReason: null, status: 'WITHDRAWN' },
    });
    // Plans: the text is personal (their municipality, their people); the stage stays for the counts.
    const plans = await tx.actionPlan.findMany({ where: { authorId: personId }, select: { id: true } });
    const planIds = plans.map((p) => p.id);
    await tx.activity.deleteMany({ where: { planId: { in: planIds } } });
    // Submitted versions are immutable by design (a database rule refuses any UPDATE), so blanking
    // them failed and forget-me with it; they are deleted, the plan row keeps its stage for the counts.
    await tx.actionPlanVersion.deleteMany({ where: { planId: { in: planIds } } });
    await tx.actionPlan.updateMany({ where: { authorId: personId }, data: { goal: null, change: null, targetGroup: null, beneficiaries: null } });
    // Feedback they wrote stays (the author of the plan keeps it), their ratings too; it names nobody now.
    await tx.response.updateMany({ where: { respondentId: personId }, data: { respondentId: null } });
    // Their replies to feedback on their own plan are their words about their work: deleted.
    await tx.feedbackReply.deleteMany({ where: { fromAuthor: true, feedback: { assignment: { planId: { in: planIds } } } } });
    // A question's words are theirs unless they agreed to its place in the FAQ; the row stays for
    // the resource persons' response-time counts.
    await tx.routedQuestion.updateMany({ where: { askerId: personId, inFaq: false }, data: { text: '' } });
    // Their waiting questions can no longer be answered to them: closed, so no resource person's
    // list or home shows them and no deadline escalates them.
    await tx.routedQuestion.updateMany({ where: { askerId: personId, status: { in: ['OPEN', 'ESCALATED_TO_COORDINATOR'] } }, data: { status: 'CLOSED', dueAt: null } });
    await tx.routedQuestion.updateMany({ where: { askerId: personId }, data: { askerId: null, threadRef: Prisma.DbNull } });
    await tx.questionAnswer.updateMany({ where: { authorId: personId }, data: { authorId: null } });
    await tx.timelineChange.updateMany({ where: { changedById: personId }, data: { changedById: null } });
    // The good practice they wrote is the cluster's document (like an answer in the FAQ): it stays, naming nobody.
    await tx.goodPracticeVersion.updateMany({ where: { authorId: personId }, data: { authorId: null } });
    await tx.download.deleteMany({ where: { createdById: personId } });
  });
}

/** How much of a long text is looked for: lists and notices show shortened texts. */
const LOOK_FOR = 60;

/**
 * Deletes the messages in other people's web chat conversations that show one of these texts (the
 * person's name as a whole word; the start of their questions and plan texts, as written and as
 * escaped for markup). The body is JSON, so each text is looked for as JSON writes it. Texts shorter
 * than three characters are not looked for (too many unrelated words contain them).
 */
async function forgetInOthersWebChats(tx: Prisma.TransactionClient, personId: string, texts: (string | null | undefined)[]): Promise<void> {
  const variants = new Set<string>();
  for (const text of texts) {
    const trimmed = (text ?? '').trim();
    if (trimmed.length < 3 || trimmed === 'Erased person') continue;
    variants.add(trimmed);
    variants.add(escapeMarkup(trimmed));
  }
  const patterns = [...variants].map((variant) => {
    const whole = variant.length <= LOOK_FOR;
    const json = JSON.stringify(variant.slice(0, LOOK_FOR)).slice(1, -1);
    // Word boundaries (a name "Ana" does not take "Analysis" along); the start of a long text has none at its end.
    return `(^|[^[:alnum:]_])${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${whole ? '($|[^[:alnum:]_])' : ''}`;
  });
  if (patterns.length === 0) return;
  await tx.$executeRaw`DELETE FROM "WebChatMessage" WHERE ("personId" IS NULL OR "personId" <> ${personId}) AND body::text ~ ANY(${patterns}::text[])`;
}
