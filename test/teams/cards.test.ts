import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/core/i18n.js';
import { ui, type Block, type Form } from '../../src/core/messages.js';
import { activityBytes, renderMessage } from '../../adapters/teams/cards.js';
import { toCardMarkdown } from '../../adapters/teams/markup.js';
import { submissionToEvent, textToEvent } from '../../adapters/teams/inbound.js';

const t = translator('en');

describe('when core markup is shown in a Teams card', () => {
  it('keeps bold, italic, links and bullets, and turns code and /lc into what Teams users type', () => {
    const md = toCardMarkdown('**Due** _soon_: type `/lc plan` or see [the guide](https://x.org)\n- one\n- two\nafter');
    expect(md).toBe('**Due** _soon_: type “lc plan” or see [the guide](https://x.org)\n\n- one\n- two\n\nafter');
  });
});

describe('when a message is longer than one Teams message can hold', () => {
  it('splits it over several cards, none over the limit, losing no text', () => {
    fc.assert(
      fc.property(fc.array(
          fc.oneof(fc.string({ maxLength: 9_000, unit: 'grapheme' }), fc.string({ maxLength: 9_000, unit: fc.constantFrom('"', '\\', '\u0001', '\n', 'ж', '😀') })),
          { minLength: 1, maxLength: 12 },
        ), (texts) => {
        const blocks: Block[] = texts.map((text) => ui.paragraph(text));
        const rendered = renderMessage(ui.message('summary', blocks), t);
        for (const card of rendered.cards) expect(activityBytes(card, 'summary')).toBeLessThanOrEqual(28_000);
        const shown = rendered.cards.flatMap((c) => c.body.map((e) => String(e.text ?? ''))).join('');
        const expected = texts.map((text) => toCardMarkdown(text).trimEnd()).join('');
        expect(shown.replace(/\s/g, '')).toBe(expected.replace(/\s/g, ''));
      }),
      { numRuns: 40 },
    );
  });
});

describe('when a message has buttons, choices and forms', () => {
  const form: Form = {
    formId: 'plan:goal',
    title: 'Your goal',
    submitLabel: 'Save',
    errors: { goal: 'This field is required.' },
    fields: [
      { name: 'goal', label: 'Goal', kind: 'textarea', required: true, maxLength: 500 },
      { name: 'topics', label: 'Topics', kind: 'multiselect', options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }], initial: ['a', 'b'] },
    ],
  };

  it('renders inputs with the validation message under the field, and reads the submission back as a form event', () => {
    const [card] = renderMessage(ui.message('goal', [ui.form(form)]), t).cards;
    const json = JSON.stringify(card);
    expect(json).toContain('"type":"Input.Text","isMultiline":true,"maxLength":500');
    expect(json).toContain('⚠ This field is required.');
    expect(json).toContain('"isMultiSelect":true');
    expect(submissionToEvent({ lcForm: 'plan:goal', lcMulti: ['topics'], goal: 'More day-care places', topics: 'a,b' })).toEqual({
      type: 'form',
      formId: 'plan:goal',
      values: { goal: 'More day-care places', topics: ['a', 'b'] },
    });
  });

  it('opens a long form in a dialog instead of the chat', () => {
    const long: Form = { ...form, errors: undefined, fields: Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, label: `Field ${i}`, kind: 'text' as const })) };
    const [card] = renderMessage(ui.message('long', [ui.form(long)]), t).cards;
    const json = JSON.stringify(card);
    expect(json).toContain('"msteams":{"type":"task/fetch"}');
    expect(json).not.toContain('Input.Text');
  });

  it('asks for confirmation before a destructive button, and gives choice sets their own OK button', () => {
    const button = { ...ui.button('Delete plan', 'plan:delete', 'p1', 'danger'), confirm: { title: 'Delete?', text: 'This cannot be undone.', yes: 'Delete', no: 'Keep' } };
    const select = { type: 'select' as const, actionId: 'plan:pick', placeholder: 'Pick a cluster', options: [{ label: 'LC1', value: 'c1' }] };
    const [card] = renderMessage(ui.message('x', [ui.actions(button, select)]), t).cards;
    const json = JSON.stringify(card);
    expect(json).toContain('"type":"Action.ShowCard","title":"Delete plan"');
    expect(submissionToEvent({ lcSelect: 'plan:pick', lcSelectInput: 'lcChoice0', lcChoice0: 'c1' })).toEqual({ type: 'action', actionId: 'plan:pick', value: 'c1' });
    expect(submissionToEvent({ lcAction: 'plan:delete', lcValue: 'p1' })).toEqual({ type: 'action', actionId: 'plan:delete', value: 'p1' });
  });
});

describe('when text arrives in Teams', () => {
  const verbs = new Set(['help', 'me', 'link']);
  it('reads "lc help", "/lc help" and a bare known verb as commands, and other words as free text for the running flow', () => {
    expect(textToEvent('lc help', verbs)).toMatchObject({ type: 'command', verb: 'help' });
    expect(textToEvent('/lc link ABCD-2345', verbs)).toMatchObject({ type: 'command', verb: 'link', args: 'ABCD-2345' });
    expect(textToEvent('me', verbs)).toMatchObject({ type: 'command', verb: 'me' });
    expect(textToEvent('Our municipality wants more places', verbs)).toEqual({ type: 'text', text: 'Our municipality wants more places' });
    expect(textToEvent('   ', verbs)).toBeNull();
  });
});
