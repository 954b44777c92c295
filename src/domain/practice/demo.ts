import type { Prisma } from '../../generated/prisma/client.js';
import { approachKey, type PracticeContent } from './content.js';

/**
 * The demo programme's good practices, as their resource persons might have documented them before the clusters
 * started: short, in English (the programme's common language), with no one's personal contact details. They make
 * `/lc practice`, its buttons on home and beside the plan, and the reminders before EE1 show something in the demo.
 */
export const DEMO_PRACTICES: Record<string, PracticeContent> = {
  'Day-care Centers': {
    summary:
      'A municipal day-care centre for children and young people with disabilities, run with two local NGOs. Children spend the day in a safe place with therapy, learning and play; parents can keep their jobs. The centre opened in a former kindergarten the municipality owns.',
    steps: [
      'Map the children and families who need the service, with the social work centre and schools',
      'Find premises the municipality owns, or can use under a long-term agreement, and adapt them for access',
      'Agree the roles of the municipality and the NGOs in a memorandum, and the budget line for staff',
      'Hire and train staff: a manager, a special educator, a physiotherapist and care assistants',
      'Open with a small group, collect feedback from parents, then grow',
    ],
    legal:
      'Who owns the premises and on what terms the centre uses them (a written agreement of at least five years). The licence for social services for the provider. Data protection for children\'s files. The fire and accessibility inspections before opening.',
    resources: 'Premises of about 200 m² on the ground floor; six to eight staff; transport for children who cannot come alone; a yearly budget line in the municipal budget, co-funded by donors in the first two years.',
    results: 'Thirty children attend regularly; twelve parents returned to work; two more municipalities visited the centre to copy the model.',
    contacts: 'The host organisation\'s social inclusion desk answers questions, and puts you in touch with the centre\'s manager for a visit.',
    links: [],
  },
  'Awareness Raising': {
    summary: 'A yearly campaign that tells families which social services the municipality offers and how to reach them, built with the people it addresses: Roma mediators, schools, health centres and local media.',
    steps: ['Ask families what they do not know and where they look for information', 'Write short, plain messages with them, in the languages they read', 'Choose the channels: mediators, schools, health centres, local radio, social media', 'Run the campaign for six weeks, with one contact person named in every message', 'Count calls and new applications before and after'],
    legal: 'Consent for every photo and story used; data protection when collecting contacts; the rules for paid content in local media during election periods.',
    resources: 'A small team for six weeks, a printing budget, airtime on local radio, and the time of mediators and school staff.',
    results: 'Applications for one-off social assistance rose by a third in the campaign months; the municipality keeps the messages for its website.',
    contacts: 'The host organisation\'s social policy unit, which keeps the campaign templates.',
    links: [],
  },
  'Mobile Outreach Teams': {
    summary: 'A team of a social worker and a nurse who visit elderly and isolated people in remote villages every week, check on their needs and connect them with services.',
    steps: ['List the villages and households without regular contact, with local communities', 'Agree the team\'s tasks and a visiting schedule with the social work centre and the health centre', 'Equip the team: a vehicle, a phone, a simple visit form', 'Visit every household at least twice a month and record needs', 'Report to the municipality every quarter and adapt the routes'],
    legal: 'The legal basis for home visits (the social protection law and the municipal decision), data protection for the visit forms, and insurance for the vehicle and the team.',
    resources: 'Two staff, a vehicle with its running costs, phones, and a budget for urgent help (firewood, medicines).',
    results: 'One hundred and forty households visited regularly; urgent needs answered within a week; fewer emergency admissions in winter.',
    contacts: 'The host organisations\' offices put you in touch with a municipality that runs a team today.',
    links: [],
  },
  'Social Dialogue Forum': {
    summary: 'A standing forum where the municipality, civil society organisations and service users discuss social policy twice a year and agree priorities for the budget.',
    steps: ['Invite organisations and service users openly, with a clear purpose', 'Agree the forum\'s rules in writing: who takes part, how it decides, how the municipality answers', 'Prepare each session with data and a short list of questions', 'Publish the conclusions and the municipality\'s answer within a month', 'Review the rules every year'],
    legal: 'The municipal statute\'s provisions on consultation; a council decision that establishes the forum; publishing rules for minutes.',
    resources: 'A coordinator for a few days before each session, a room, simple catering, and interpretation where needed.',
    results: 'Two budget lines for social services were raised after the forum\'s proposals; the number of organisations taking part doubled in two years.',
    contacts: 'The host organisation\'s unit for local democracy.',
    links: [],
  },
  'Emergency Response and Disaster Risk Management': {
    summary: 'A municipal plan for floods and earthquakes that knows who is most at risk (elderly people living alone, people with disabilities) and reaches them first.',
    steps: ['Map the people most at risk with social services and local communities', 'Agree in the civil protection plan who warns and evacuates them', 'Train volunteers and staff, and run one exercise a year', 'Keep the list up to date with consent', 'After each event, review what worked'],
    legal: 'The civil protection law and the municipal plan; consent and data protection for the list of people at risk; agreements with volunteer organisations.',
    resources: 'Staff time for the map and the exercises, a small stock of supplies, and a budget for volunteers\' insurance and training.',
    results: 'In the last floods every person on the list was reached within six hours; the exercise is now part of the municipality\'s yearly plan.',
    contacts: 'The host organisation\'s civil protection focal point.',
    links: [],
  },
};

/** The demo good practice of one cluster: created with its first version, written by the cluster's first resource person. */
export async function seedDemoPractice(tx: Prisma.TransactionClient, input: { programmeId: string; clusterId: string; approach: string; authorId: string }): Promise<void> {
  const content = DEMO_PRACTICES[input.approach];
  if (!content) return;
  const practice = await tx.goodPractice.create({ data: { programmeId: input.programmeId, approach: input.approach, approachKey: approachKey(input.approach), clusters: { connect: { id: input.clusterId } } } });
  await tx.goodPracticeVersion.create({ data: { practiceId: practice.id, number: 1, section: 'summary', note: 'Documented before the cluster started', authorId: input.authorId, content: content as unknown as Prisma.InputJsonValue } });
}
