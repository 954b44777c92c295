import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { findDownload } from '../../src/core/downloads.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { planCluster } from '../../src/scheduler/plan.js';
import { renderNudges } from '../../src/scheduler/render.js';
import { loadSnapshot } from '../../src/scheduler/snapshot.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, downloadIdOf } from '../support/plans.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * Issue 19, item 3: the documented good practice. Resource persons and coordinators write it section by
 * section in forms (every save a version, a double submit one), members read it with `/lc practice`, from
 * home, beside their action plan and from the reminders before the event where the approach is introduced;
 * exports keep what people typed as text. Driven through the web chat's identities (platform WEB).
 */
const now = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let botUrl: string;

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(now) });
  await seedDemo(runtime.db, now);
  // The demo documents every cluster's good practice; LC1's is taken away so its resource persons start from nothing.
  await runtime.db.goodPractice.deleteMany({ where: { clusters: { some: { code: 'LC1' } } } });
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});

async function versionsOf(code: string) {
  const cluster = await clusterByCode(runtime.db, code);
  const practiceId = (await runtime.db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).goodPracticeId;
  return practiceId ? runtime.db.goodPracticeVersion.findMany({ where: { practiceId }, orderBy: { number: 'asc' } }) : [];
}

/** Opens a section of the practice and its edit form, as the person would with two presses. */
async function openForm(who: ReturnType<typeof talkAs>, section: RegExp) {
  let replies = await who.say('/lc practice LC1');
  replies = await who.press(findButton(replies, section));
  replies = await who.press(findButton(replies, 'Edit'));
  return formOf(replies);
}

describe('when a resource person documents the good practice', () => {
  it('saves every section save as a new version, keeps the older one readable, and a double submit gives one version', async () => {
    const rp = talkAs(runtime.bot, 'web:lc1-rp1');
    let replies = await rp.say('/lc practice');
    expect(textOf(replies)).toContain('Good practice: Day-care Centers');
    expect(textOf(replies)).toContain('Nothing is written yet');

    let form = await openForm(rp, /^What it is$/);
    expect(form.formId).toMatch(/^practice:edit:[^:]+:summary$/);
    expect(form.fields.map((f) => f.name)).toEqual(['value', 'note']);
    replies = await rp.submit(form, { value: 'A day-care centre for children with disabilities, run by the municipality of Gjilan since 2019.', note: 'first draft' });
    expect(textOf(replies)).toContain('Saved as version 1.');
    // The same form sent again (a double click, a retried request) saves nothing more.
    const again = await rp.submit(form, { value: 'A day-care centre for children with disabilities, run by the municipality of Gjilan since 2019.', note: 'first draft' });
    expect(textOf(again)).toMatch(/Already done/);
    expect(await versionsOf('LC1')).toHaveLength(1);

    form = await openForm(rp, /What it is/);
    expect(form.fields[0].initial).toContain('Gjilan since 2019');
    replies = await rp.submit(form, { value: 'A day-care centre for children and young people with disabilities, run by Gjilan and two NGOs.', note: 'partners added' });
    expect(textOf(replies)).toContain('Saved as version 2.');

    form = await openForm(rp, /^Steps$/);
    replies = await rp.submit(form, { value: '1. Find premises the municipality owns\n2. Hire and train staff\n\n- Open with ten children', note: '' });
    expect(textOf(replies)).toContain('Saved as version 3.');
    expect(textOf(replies)).toContain('1. Find premises the municipality owns\n2. Hire and train staff\n3. Open with ten children');

    const versions = await versionsOf('LC1');
    expect(versions.map((v) => [v.number, v.section, v.note])).toEqual([[1, 'summary', 'first draft'], [2, 'summary', 'partners added'], [3, 'steps', null]]);
    // The summary carried into the steps save is the newest one: sections saved one by one make one document.
    expect((versions[2].content as { summary: string }).summary).toContain('two NGOs');

    replies = await rp.say('/lc practice versions');
    const listed = textOf(replies);
    expect(listed).toContain('Version 3');
    expect(listed).toContain('partners added');
    const views = buttonsOf(replies).filter((b) => b.label === 'View');
    expect(views).toHaveLength(3);
    // Newest first: the last View is version 1, which still says what it said.
    const old = textOf(await rp.press(views[2]));
    expect(old).toContain('version 1');
    expect(old).toContain('Gjilan since 2019');
    expect(old).not.toContain('two NGOs');
    expect(old).toContain('An older version. The current one is version 3.');
  });

  it('refuses a document link that is not https, names the line, and keeps what was typed', async () => {
    const rp = talkAs(runtime.bot, 'web:lc1-rp2');
    const form = await openForm(rp, /Documents/);
    const typed = 'Guidelines https://example.org/guide.pdf\nLicence http://example.org/licence.pdf';
    let replies = await rp.submit(form, { value: typed, note: '' });
    const back = formOf(replies);
    expect(back.errors?.value).toBe('Line 2: please give the document\'s address starting with https://.');
    expect(back.fields[0].initial).toBe(typed);
    replies = await rp.submit(back, { value: 'Gjilan guidelines https://example.org/guide.pdf\njavascript:alert(1)', note: '' });
    expect(formOf(replies).errors?.value).toContain('Line 2');
    replies = await rp.submit(formOf(replies), { value: 'Gjilan guidelines https://example.org/guide.pdf\nLicence of the centre - https://example.org/licence.pdf', note: 'documents' });
    expect(textOf(replies)).toContain('Saved as version 4.');
    const links = (await versionsOf('LC1')).at(-1)!.content as { links: { label: string; url: string }[] };
    expect(links.links).toEqual([{ label: 'Gjilan guidelines', url: 'https://example.org/guide.pdf' }, { label: 'Licence of the centre', url: 'https://example.org/licence.pdf' }]);
  });
});

describe('when a member reads the good practice', () => {
  it('shows a phone-sized overview with a button per section and the documents as links, and the full section on a press', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m1');
    const replies = await member.say('/lc practice');
    const text = textOf(replies);
    expect(text).toContain('Good practice: Day-care Centers');
    expect(text).toContain('two NGOs');
    expect(text).toContain('Gjilan guidelines (https://example.org/guide.pdf)');
    const labels = buttonsOf(replies).map((b) => b.label);
    expect(labels).toEqual(expect.arrayContaining(['✓ What it is', '✓ Steps', 'Legal aspects', 'Resources needed', 'Results achieved', 'Contacts', '✓ Documents', 'Versions', 'Markdown', 'Printable page']));
    expect(labels).not.toContain('Edit');
    const blocks = replies.flatMap((m) => m.blocks);
    expect(blocks.length).toBeLessThanOrEqual(10);
    const steps = await member.press(findButton(replies, '✓ Steps'));
    expect(textOf(steps)).toContain('2. Hire and train staff');
    expect(buttonsOf(steps).map((b) => b.label)).toEqual(['Overview']);
  });

  it('cannot edit: the edit button and the form are refused and no version is added', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m1');
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const before = (await versionsOf('LC1')).length;
    const pressed = await member.press({ actionId: 'practice:edit', value: `${lc1.id}:summary` });
    expect(textOf(pressed)).toMatch(/only|not allowed|coordinator|resource person/i);
    expect(pressed.some((m) => m.blocks.some((b) => b.type === 'form'))).toBe(false);
    const submitted = await member.submit({ formId: `practice:edit:${lc1.id}:summary` }, { value: 'Vandalised by a member', note: '' });
    expect(textOf(submitted)).not.toContain('Saved');
    expect(await versionsOf('LC1')).toHaveLength(before);
    // Someone of another cluster cannot read it either.
    const stranger = await talkAs(runtime.bot, 'web:lc2-m1').press({ actionId: 'practice:open', value: lc1.id });
    expect(textOf(stranger)).not.toContain('two NGOs');
  });

  it('is reachable from home and beside the action-plan form', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m2');
    const home = await member.say('/lc home');
    expect(findButton(home, 'See the good practice').value).toBe('practice');

    const plan = await member.say('/lc plan');
    const beside = findButton(plan, 'See the good practice');
    expect(beside.value).toBe('practice LC1');
    const opened = await member.press(beside);
    expect(textOf(opened)).toContain('Good practice: Day-care Centers');
    expect(textOf(opened)).toContain('two NGOs');

    // The guided plan offers it where an activity is named (the legal reminder's question).
    const guided = await member.press(findButton(plan, /step by step|Continue/i));
    let replies = guided;
    for (let i = 0; i < 6 && !buttonsOf(replies).some((b) => b.label === 'See the good practice'); i++) replies = await member.press(findButton(replies, 'Skip'));
    expect(textOf(replies)).toContain('legal');
    expect(findButton(replies, 'See the good practice').value).toBe('practice');
  });

  it('is shared by a cluster of the programme with the same approach', async () => {
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const member = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc2-m3' } } });
    const twin = await runtime.db.cluster.create({ data: { programmeId: lc1.programmeId, code: 'LC9', name: 'Day care, second round', approach: 'day-care centers', timeZone: lc1.timeZone, language: 'en', capacity: 8 } });
    await runtime.db.membership.create({ data: { personId: member.personId, clusterId: twin.id, role: 'MEMBER' } });
    const replies = await talkAs(runtime.bot, 'web:lc2-m3').say('/lc practice LC9');
    expect(textOf(replies)).toContain('two NGOs');
    expect((await runtime.db.cluster.findUniqueOrThrow({ where: { id: twin.id } })).goodPracticeId).toBe((await runtime.db.cluster.findUniqueOrThrow({ where: { id: lc1.id } })).goodPracticeId);
  });
});

describe('when the demo is loaded', () => {
  it('has the good practice of every other cluster documented, version 1 by its resource person', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc3-m1').say('/lc practice');
    expect(textOf(replies)).toContain('Good practice: Mobile Outreach Teams');
    expect(textOf(replies)).toMatch(/Version 1 · .* · /);
    expect(await runtime.db.goodPracticeVersion.count()).toBeGreaterThanOrEqual(4);
  });
});

describe('when someone asks for help or types the command in their language', () => {
  it('lists /lc practice in help, and the Serbian word and "verzije" open the versions', async () => {
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-m3').say('/lc help all'))).toContain('/lc practice [cluster] [versions]');
    const serbian = talkAs(runtime.bot, 'web:lc1-m3');
    await serbian.say('/lc language sr-Latn');
    const replies = await serbian.say('/lc praksa verzije');
    expect(textOf(replies)).toContain('Verzije dobre prakse: Day-care Centers');
    expect(textOf(replies)).toContain('Verzija 3');
    await serbian.say('/lc jezik en');
  });
});

describe('when the reminders before the event where the approach is introduced go out', () => {
  it('they carry a button to the good practice; reminders of other events do not', async () => {
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const snapshot = (await loadSnapshot(runtime.db, lc1.id))!;
    const ee1 = snapshot.timeline.find((item) => item.roles.includes('TEMPLATE_INTRODUCED'))!;
    // Planned as if ten days before EE1, so its week-ahead reminder is still to come.
    const specs = planCluster(snapshot, { now: new Date(ee1.startsAt!.getTime() - 10 * 86_400_000) });
    const reader = { locale: 'en', timeZone: 'Europe/Belgrade' };
    const before = specs.find((s) => s.kind === 'event-week-before' && s.payload.itemRoles?.includes('TEMPLATE_INTRODUCED'))!;
    expect(before).toBeDefined();
    const message: OutboundMessage = renderNudges([before.payload], reader);
    expect(textOf(message)).toContain('read the good practice');
    const button = findButton([message], 'See the good practice');
    expect(button.value).toBe('practice LC1');
    const other = specs.find((s) => s.kind === 'event-week-before' && s.payload.itemRoles?.includes('CONCEPTS_PRESENTED'))!;
    expect(buttonsOf([renderNudges([other.payload], reader)]).map((b) => b.label)).not.toContain('See the good practice');
    // Pressed by a member, it opens the practice.
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-m4').press(button))).toContain('two NGOs');
  });
});

describe('when the good practice is exported', () => {
  it('escapes what people typed in the printable page and the Markdown, links only https, and serves the page with the documents\' CSP', async () => {
    const rp = talkAs(runtime.bot, 'web:lc1-rp1');
    const form = await openForm(rp, /Legal aspects/);
    await rp.submit(form, { value: '<script>alert("legal")</script> **Premises** [owned](javascript:alert(1)) by the municipality', note: '<img src=x onerror=alert(1)>' });
    const replies = await rp.say('/lc practice LC1');
    const html = await findDownload(runtime.db, downloadIdOf(textOf(await rp.press(findButton(replies, 'Printable page')))), now);
    const page = Buffer.from(html!.body).toString('utf8');
    expect(page).toContain('&lt;script&gt;alert(&quot;legal&quot;)&lt;/script&gt;');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('href="javascript');
    expect(page).toContain('<a href="https://example.org/guide.pdf">Gjilan guidelines</a>');
    expect(page).toContain('<ol>');

    const mdLink = textOf(await rp.press(findButton(replies, 'Markdown')));
    const markdown = Buffer.from((await findDownload(runtime.db, downloadIdOf(mdLink), now))!.body).toString('utf8');
    expect(markdown).toContain('\\<script\\>');
    expect(markdown).toContain('\\*\\*Premises\\*\\*');
    expect(markdown).toContain('\\[owned\\]');
    expect(markdown).toContain('- [Gjilan guidelines](<https://example.org/guide.pdf>)');
    expect(markdown).toContain('## Legal aspects');

    // The test's clock is in the past; the server checks links against the real one.
    await runtime.db.download.update({ where: { id: html!.id }, data: { expiresAt: new Date(Date.now() + 3_600_000) } });
    const served = await fetch(`${botUrl}/files/${html!.id}/${html!.filename}`);
    expect(served.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
