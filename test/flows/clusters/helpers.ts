import type { OutboundMessage, Select } from '../../../src/core/messages.js';

/** The select menu with this action id among the replies (pickers, edit menus, role menus). */
export function selectOf(messages: OutboundMessage[], actionId: string): Select {
  for (const m of messages) for (const b of m.blocks) if (b.type === 'actions') for (const e of b.elements) if (e.type === 'select' && e.actionId === actionId) return e;
  throw new Error(`no select ${actionId}`);
}

/** A registration as the join form takes it. */
export function registrationValues(clusterIds: string[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    choice1: clusterIds[0] ?? '',
    choice2: clusterIds[1] ?? '',
    choice3: clusterIds[2] ?? '',
    organisationName: 'Prizren',
    position: 'Social worker',
    country: 'xk',
    languages: 'sq, en',
    timeZone: 'Europe/Belgrade',
    caseDescription: 'Elderly people living alone in villages.',
    consent: 'true',
    ...extra,
  };
}
