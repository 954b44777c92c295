import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeActionId, FIELDS_PER_MODAL_PAGE, fieldErrors, modalPageCount, renderHome, renderMessage, renderModal } from '../../adapters/slack/block-kit.js';
import { fromBlockAction, fromMessageText, fromSlashCommand, fromViewState } from '../../adapters/slack/inbound.js';
import { splitText, toMrkdwn } from '../../adapters/slack/mrkdwn.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { blockProblems, messageProblems, viewProblems } from '../support/block-kit-limits.js';

const homeLabels = { previous: 'Previous', next: 'Next', page: (p: number, n: number) => `Page ${p} of ${n}` };
const modalLabels = { close: '', part: (p: number, n: number) => `Part ${p} of ${n}` };

/** An action plan far beyond any real one: 120 activities with long texts, many buttons, a huge select. */
function hugeActionPlan(): OutboundMessage {
  const blocks: Block[] = [ui.heading(`Action plan: ${'Day-care centre for elderly people in rural areas '.repeat(8)}`)];
  blocks.push(ui.paragraph(`**Goal**\n${'Open a day-care centre that serves the villages around the town. '.repeat(120)}`));
  for (let i = 1; i <= 120; i++) {
    blocks.push(ui.fields([
      { label: 'Activity', value: `Activity ${i}: ${'renovate the premises and clarify ownership rights '.repeat(60)}` },
      { label: 'Responsible', value: 'Social services department' },
      { label: 'Deadline', value: '2027-03-31' },
    ]));
    blocks.push(ui.paragraph(`Challenges: ${'the building belongs to the ministry & <nobody> knows who signs. '.repeat(70)}`));
  }
  blocks.push(ui.actions(...Array.from({ length: 40 }, (_, i) => ui.commandButton(`Open activity number ${i} with a very long label that goes on and on`, `plan ${i}`))));
  blocks.push(ui.actions({ type: 'select', actionId: 'plan:pick', placeholder: 'Pick an activity', options: Array.from({ length: 250 }, (_, i) => ({ label: `Activity ${i} ${'x'.repeat(100)}`, value: `activity-${i}` })) }));
  blocks.push(ui.context('Last saved today'));
  return ui.message('Action plan', blocks);
}

describe('when a very long action plan is rendered for Slack', () => {
  const parts = renderMessage(hugeActionPlan());

  it('would be refused by Slack as one message (the check is not vacuous)', () => {
    expect(messageProblems({ text: 'x', blocks: parts.flatMap((p) => p.blocks) })).toContainEqual(expect.stringMatching(/blocks \(max 50\)/));
  });

  it('splits it into messages of at most 50 blocks that Slack accepts', () => {
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.blocks.length).toBeLessThanOrEqual(50);
      expect(messageProblems(part)).toEqual([]);
    }
  });

  it('keeps every section text within 3,000 characters without losing any activity', () => {
    const sections = parts.flatMap((p) => p.blocks).filter((b) => b.type === 'section');
    for (const s of sections) expect(((s.text as { text?: string })?.text ?? '').length).toBeLessThanOrEqual(3000);
    const all = JSON.stringify(parts);
    for (let i = 1; i <= 120; i++) expect(all).toContain(`Activity ${i}:`);
  });

  it('keeps all 250 options reachable in selects of at most 100', () => {
    const selects = parts.flatMap((p) => p.blocks).flatMap((b) => (b.type === 'actions' ? (b.elements as any[]) : [])).filter((e) => e.type === 'static_select');
    expect(selects.map((s) => s.options.length)).toEqual([100, 100, 50]);
    expect(selects.every((s) => decodeActionId(s.action_id) === 'plan:pick')).toBe(true);
  });

  it('escapes what people typed, so it cannot become a mention or a link', () => {
    expect(JSON.stringify(parts)).toContain('&lt;nobody&gt;');
    expect(JSON.stringify(parts)).not.toContain('<nobody>');
  });
});

describe('when a very long help text is rendered', () => {
  it('becomes several sections, each within the limit, split at line breaks', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `- \`/lc command-${i}\`: what command ${i} does, explained at length for newcomers`);
    const [part, ...rest] = renderMessage(ui.message('Help', [ui.heading('Cluster Bot: what you can do'), ui.paragraph(lines.join('\n'))]));
    const texts = [part, ...rest].flatMap((p) => p.blocks).filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text.startsWith('• `/lc command-')).toBe(true);
    }
    expect(messageProblems(part)).toEqual([]);
  });
});

describe('when a form becomes a modal', () => {
  const longForm: Form = {
    formId: 'plan:activities',
    title: 'Activities of your action plan for the cluster',
    submitLabel: 'Save all the activities now',
    intro: 'x'.repeat(9000),
    fields: Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, label: `Field ${i}`, kind: 'textarea' as const, maxLength: 10_000 })),
  };

  it('clips the title and buttons to 24 characters', () => {
    const view = renderModal(longForm, '{}', modalLabels);
    expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
    expect(viewProblems(view)).toEqual([]);
  });

  it('pages a form longer than one modal, every field on exactly one page', () => {
    const pages = modalPageCount(longForm);
    expect(pages).toBe(Math.ceil(200 / FIELDS_PER_MODAL_PAGE));
    const seen: string[] = [];
    for (let page = 0; page < pages; page++) {
      const view = renderModal(longForm, '{}', modalLabels, page);
      expect(viewProblems(view)).toEqual([]);
      seen.push(...view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id!));
    }
    expect(seen).toEqual(longForm.fields.map((f) => f.name));
  });

  it('refuses private_metadata over 3,000 characters instead of letting Slack refuse the view', () => {
    expect(() => renderModal(longForm, 'x'.repeat(3001), modalLabels)).toThrow(/private_metadata/);
  });

  it('maps field errors to block ids only when every error is on the shown page', () => {
    expect(fieldErrors({ ...longForm, errors: { f1: 'Required' } }, 0)).toEqual({ f1: 'Required' });
    expect(fieldErrors({ ...longForm, errors: { f150: 'Required' } }, 0)).toBeNull();
    expect(fieldErrors({ ...longForm, errors: { _form: 'Try again' } }, 0)).toBeNull();
  });

  it('reads every kind of input back into core form values', () => {
    expect(
      fromViewState({
        a: { a: { type: 'plain_text_input', value: 'text' } },
        b: { b: { type: 'datepicker', selected_date: '2026-12-01' } },
        c: { c: { type: 'static_select', selected_option: { value: 'x' } } },
        d: { d: { type: 'multi_static_select', selected_options: [{ value: 'y' }, { value: 'z' }] } },
        e: { e: { type: 'checkboxes', selected_options: [] } },
        f: { f: { type: 'number_input', value: '7' } },
      }),
    ).toEqual({ a: 'text', b: '2026-12-01', c: 'x', d: ['y', 'z'], e: 'false', f: '7' });
  });
});

describe('when the Home tab has more than 100 blocks', () => {
  it('pages it with previous and next buttons, each page within 100 blocks', () => {
    const blocks = Array.from({ length: 450 }, (_, i) => ui.paragraph(`Task ${i}`));
    const first = renderHome(blocks, homeLabels, 0);
    expect(first.pages).toBe(5);
    const last = renderHome(blocks, homeLabels, 4);
    for (const { view } of [first, last, renderHome(blocks, homeLabels, 2)]) expect(viewProblems(view)).toEqual([]);
    expect(JSON.stringify(first.view)).toContain('Next');
    expect(JSON.stringify(first.view)).not.toContain('Previous');
    expect(JSON.stringify(last.view)).toContain('Task 449');
  });
});

describe('when any message is rendered (property)', () => {
  const text = fc.string({ maxLength: 7000 });
  const block: fc.Arbitrary<Block> = fc.oneof(
    text.map((t) => ui.paragraph(t)),
    text.map((t) => ui.heading(t)),
    text.map((t) => ui.context(t)),
    fc.constant(ui.divider()),
    fc.array(fc.record({ label: fc.string({ maxLength: 300 }), value: text }), { minLength: 1, maxLength: 25 }).map((f) => ui.fields(f)),
    fc.array(fc.record({ label: fc.string({ maxLength: 200 }), value: fc.string({ maxLength: 3000 }) }), { minLength: 1, maxLength: 60 }).map((bs) => ui.actions(...bs.map((b) => ui.commandButton(b.label, b.value)))),
  );

  it('always stays within every Block Kit limit', () => {
    fc.assert(
      fc.property(fc.array(block, { maxLength: 150 }), fc.string({ maxLength: 5000 }), (blocks, summary) => {
        for (const part of renderMessage(ui.message(summary, blocks))) expect(blockProblems(part.blocks, 50)).toEqual([]);
        expect(viewProblems(renderHome(blocks, homeLabels, 0).view)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('when core markup becomes mrkdwn', () => {
  it('turns bold, links and bullets into Slack syntax and escapes the rest', () => {
    expect(toMrkdwn('**Due** [plan](https://x.org/p?a=1&b=2) <@U1>\n- one')).toBe('*Due* <https://x.org/p?a=1&b=2|plan> &lt;@U1&gt;\n• one');
  });

  it('never splits inside an escaped character', () => {
    const pieces = splitText(`${'a'.repeat(2998)}&amp;tail`, 3000);
    expect(pieces[0].endsWith('&')).toBe(false);
    expect(pieces.join('')).toBe(`${'a'.repeat(2998)}&amp;tail`);
  });
});

describe('when Slack input becomes core events', () => {
  it('reads a button and a static select choice back to the core action id', () => {
    expect(fromBlockAction({ type: 'button', action_id: 'cmd#3', value: 'me' })).toEqual({ actionId: 'cmd', value: 'me' });
    expect(fromBlockAction({ type: 'static_select', action_id: 'plan:pick#7', selected_option: { value: 'activity-3' } })).toEqual({ actionId: 'plan:pick', value: 'activity-3' });
    expect(fromBlockAction({ type: 'datepicker', action_id: 'x', selected_date: '2026-01-01' })).toBeNull();
  });

  it('parses /lc text with the core grammar, empty meaning help', () => {
    expect(fromSlashCommand('')).toMatchObject({ type: 'command', verb: 'help', args: '' });
    expect(fromSlashCommand('timeline LC2')).toMatchObject({ type: 'command', verb: 'timeline', args: 'LC2' });
  });

  it('gives flows the text a person typed, without the mention and Slack escaping', () => {
    expect(fromMessageText('<@UBOT> lc me')).toMatchObject({ type: 'command', verb: 'me' });
    expect(fromMessageText('We need &lt;5 days &amp; a room: <https://x.org|the plan>')).toEqual({ type: 'text', text: 'We need <5 days & a room: the plan (https://x.org)' });
  });
});
