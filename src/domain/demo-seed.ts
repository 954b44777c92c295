import { DateTime } from 'luxon';
import type { Db } from '../core/db.js';
import { genericDates, genericItems } from './timeline.js';
import { countryLanguage } from '../core/languages.js';
import { seedDemoPractice } from './practice/demo.js';

/** The programme of ../shared/domain.md: five clusters running in parallel. */
export const DEMO_PROGRAMME = 'Social Inclusion Learning Clusters (demo)';

interface DemoCluster {
  code: string;
  approach: string;
  hosts: { name: string; country: string }[];
  timeZone: string;
  country: string;
  municipalities: string[];
  names: string[];
}

const clusters: DemoCluster[] = [
  {
    code: 'LC1', approach: 'Day-care Centers', hosts: [{ name: 'AKM', country: 'XK' }], timeZone: 'Europe/Belgrade', country: 'XK',
    municipalities: ['Prishtina', 'Prizren', 'Gjilan', 'Peja', 'Ferizaj', 'Gjakova', 'Mitrovica', 'Vushtrri'],
    names: ['Arta Krasniqi', 'Besnik Gashi', 'Drita Berisha', 'Fatmir Hoxha', 'Genta Morina', 'Ilir Shala', 'Jeta Rexhepi', 'Kushtrim Bytyqi', 'Lirie Kelmendi', 'Mentor Aliu', 'Nora Dervishi'],
  },
  {
    code: 'LC2', approach: 'Awareness Raising', hosts: [{ name: 'SCTM', country: 'RS' }], timeZone: 'Europe/Belgrade', country: 'RS',
    municipalities: ['Novi Sad', 'Niš', 'Kragujevac', 'Subotica', 'Čačak', 'Kraljevo', 'Valjevo', 'Šabac'],
    names: ['Ana Petrović', 'Bojan Jovanović', 'Dragana Nikolić', 'Goran Marković', 'Jelena Đorđević', 'Marko Stojanović', 'Milica Ilić', 'Nenad Pavlović', 'Snežana Popović', 'Vladimir Kostić', 'Zorana Lukić'],
  },
  {
    code: 'LC3', approach: 'Mobile Outreach Teams', hosts: [{ name: 'ALVRS', country: 'BA' }, { name: 'SOGFBiH', country: 'BA' }], timeZone: 'Europe/Sarajevo', country: 'BA',
    municipalities: ['Tuzla', 'Zenica', 'Banja Luka', 'Bijeljina', 'Mostar', 'Prijedor', 'Doboj', 'Bihać'],
    names: ['Amra Hodžić', 'Branko Savić', 'Dženana Begić', 'Emir Mehić', 'Lejla Kovačević', 'Mirza Delić', 'Nermina Hadžić', 'Sanja Todorović', 'Tarik Mujić', 'Vesna Babić', 'Zlatan Omerović', 'Ivana Perić'],
  },
  {
    code: 'LC4', approach: 'Social Dialogue Forum', hosts: [{ name: 'ZELS', country: 'MK' }], timeZone: 'Europe/Skopje', country: 'MK',
    municipalities: ['Bitola', 'Kumanovo', 'Prilep', 'Tetovo', 'Štip', 'Ohrid', 'Veles', 'Strumica'],
    names: ['Aleksandra Stojanovska', 'Blerim Rexhepi', 'Dimitar Trajkovski', 'Elena Petrovska', 'Filip Angelovski', 'Ivana Nikolovska', 'Kire Mitrevski', 'Marija Georgievska', 'Nikola Jovanovski', 'Sara Dimitrievska', 'Zoran Ristovski'],
  },
  {
    code: 'LC5', approach: 'Emergency Response and Disaster Risk Management', hosts: [{ name: 'AAM', country: 'AL' }], timeZone: 'Europe/Tirane', country: 'AL',
    municipalities: ['Tirana', 'Durrës', 'Shkodër', 'Elbasan', 'Vlorë', 'Korçë', 'Fier', 'Berat'],
    names: ['Anisa Hoxha', 'Blendi Shehu', 'Elira Dervishi', 'Ervin Çela', 'Klea Muça', 'Luan Kola', 'Mirela Basha', 'Olsi Leka', 'Rezarta Gjoni', 'Sokol Duka', 'Teuta Marku'],
  },
];

/**
 * The timeline of a 16-week cluster placed around `today`, shifted per cluster so the demo shows
 * clusters in different phases. Periods are whole days in the cluster's zone; events run 10:00–16:00.
 */
export function demoTimeline(today: Date, timeZone: string, shiftDays: number) {
  // The preparation began six weeks before day 0, so EE1 was 20 days ago and EE2 is 15 days ahead.
  return genericDates(DateTime.fromJSDate(today).setZone(timeZone).startOf('day').plus({ days: shiftDays - 42 }));
}

export interface DemoOptions {
  /**
   * `region`: each cluster and person speaks their country's language (LC1 Kosovo and LC5 Albania sq, LC2
   * Serbia sr-Latn with some sr-Cyrl, LC3 Bosnia and Herzegovina bs with sr-Cyrl in Republika Srpska's
   * municipalities, LC4 North Macedonia mk); the resource person working from London chose English. What
   * `npm start` and `npm run seed:demo` load. `english` (the default): everyone in English, as most
   * tests read the demo.
   */
  languages?: 'region' | 'english';
}

/** The demo member's language: the country's, or Serbian Cyrillic where it is the local habit (RS, Republika Srpska). */
function demoLanguage(c: DemoCluster, municipality: string | undefined, index: number): string {
  if (c.country === 'BA' && municipality && ['Banja Luka', 'Bijeljina', 'Prijedor', 'Doboj'].includes(municipality)) return 'sr-Cyrl';
  if (c.country === 'RS' && index % 3 === 1) return 'sr-Cyrl';
  return countryLanguage(c.country) ?? 'en';
}

export interface SeedResult {
  created: boolean;
  programmeId: string;
  people: number;
}

/**
 * Loads the demo programme: five clusters, each with a coordinator, two resource persons and
 * eight members from eight municipalities, all reachable in the web chat. Does nothing when the
 * demo programme already exists, so it is safe to run on every start.
 */
export async function seedDemo(db: Db, today = new Date(), options: DemoOptions = {}): Promise<SeedResult> {
  const region = options.languages === 'region';
  const existing = await db.programme.findFirst({ where: { name: DEMO_PROGRAMME } });
  if (existing) return { created: false, programmeId: existing.id, people: 0 };

  return db.$transaction(
    async (tx) => {
      const programme = await tx.programme.create({ data: { name: DEMO_PROGRAMME, description: 'Five clusters running in parallel, from the methodology of ../shared/domain.md.' } });
      let people = 0;
      for (const [index, c] of clusters.entries()) {
        const hostOrgs: { id: string; name: string }[] = [];
        for (const host of c.hosts) {
          hostOrgs.push(
            await tx.organisation.upsert({
              where: { name_country: { name: host.name, country: host.country } },
              create: { name: host.name, country: host.country, kind: 'HOST' },
              update: {},
            }),
          );
        }
        const timeline = demoTimeline(today, c.timeZone, index * 3 - 6);
        const cluster = await tx.cluster.create({
          data: {
            programmeId: programme.id,
            code: c.code,
            name: c.approach,
            approach: c.approach,
            timeZone: c.timeZone,
            language: region ? (countryLanguage(c.country) ?? 'en') : 'en',
            capacity: 10,
            hosts: { create: hostOrgs.map((o) => ({ organisationId: o.id })) },
            timeline: {
              create: genericItems(
                Object.fromEntries(Object.entries(timeline).map(([key, dates]) => [key, { ...dates, location: key.startsWith('EE') ? `${c.municipalities[0]}, ${hostOrgs[0].name} offices` : null }])),
              ),
            },
          },
        });

        const addPerson = async (name: string, role: 'COORDINATOR' | 'RESOURCE_PERSON' | 'MEMBER', key: string, organisationId: string, extra: { timeZone?: string; topics?: string[]; position?: string; language?: string; chosen?: boolean } = {}) => {
          const person = await tx.person.create({
            data: {
              displayName: name,
              locale: region ? (extra.language ?? countryLanguage(c.country) ?? 'en') : 'en',
              // A language the person chose themselves (the resource person who reads English) stays theirs.
              languageChosenAt: region && extra.chosen ? today : null,
              timeZone: extra.timeZone ?? c.timeZone,
              country: c.country,
              position: extra.position,
              organisationId,
              isDemo: true,
              identities: { create: { platform: 'WEB', externalId: `web:${key}` } },
            },
          });
          await tx.membership.create({ data: { personId: person.id, clusterId: cluster.id, role, organisationId, topics: extra.topics ?? [] } });
          people++;
        };

        const code = c.code.toLowerCase();
        await addPerson(c.names[0], 'COORDINATOR', `${code}-coordinator`, hostOrgs[0].id, { position: 'Project coordinator' });
        // Resource persons own the good practice; one works from another time zone to show local times.
        await addPerson(c.names[1], 'RESOURCE_PERSON', `${code}-rp1`, hostOrgs[0].id, { topics: topicsFor(c.approach, 0), position: 'Resource person' });
        await addPerson(c.names[2], 'RESOURCE_PERSON', `${code}-rp2`, hostOrgs[0].id, { topics: topicsFor(c.approach, 1), position: 'Resource person', timeZone: 'Europe/London', language: 'en', chosen: true });
        const rp1 = await tx.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${code}-rp1` } } });
        await seedDemoPractice(tx, { programmeId: programme.id, clusterId: cluster.id, approach: c.approach, authorId: rp1.personId });
        for (const [i, municipality] of c.municipalities.entries()) {
          const org = await tx.organisation.upsert({
            where: { name_country: { name: municipality, country: c.country } },
            create: { name: municipality, country: c.country, kind: 'MUNICIPALITY' },
            update: {},
          });
          await addPerson(c.names[3 + (i % (c.names.length - 3))] + (i >= c.names.length - 3 ? ` (${municipality})` : ''), 'MEMBER', `${code}-m${i + 1}`, org.id, { position: 'Social services officer', language: demoLanguage(c, municipality, i), chosen: demoLanguage(c, municipality, i) === 'sr-Cyrl' });
        }
      }
      return { created: true, programmeId: programme.id, people };
    },
    { timeout: 60_000 },
  );
}

function topicsFor(approach: string, which: number): string[] {
  const common = [['legal', 'premises', 'financing'], ['staffing', 'training', 'monitoring']][which];
  return [approach.toLowerCase(), ...common];
}
