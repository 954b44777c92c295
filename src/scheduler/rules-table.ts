import { EVENT_TYPES } from '../domain/timeline.js';
import { describeLateness, NUDGE_RULES, type Anchor } from './rules.js';

/** The rule table as Markdown, for docs/scheduler.md (a test checks the doc is up to date). */
export function renderRulesTable(): string {
  const rows = NUDGE_RULES.map((r) =>
    [r.kind, r.who, anchorText(r.anchor), offsetText(r.offset), r.condition, r.event ? 'event (no cap, no snooze)' : 'capped', describeLateness(r.late), r.why].map((c) => c.replace(/\|/g, '\\|')).join(' | '),
  );
  return ['| kind | who | anchor | offset | condition | noise | if late | why |', '|---|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r} |`)].join('\n');
}

function anchorText(anchor: Anchor): string {
  switch (anchor.type) {
    case 'role':
      return `${anchor.point} of the item in the role ${anchor.role}`;
    case 'event':
      return anchor.types.length === EVENT_TYPES.length ? 'start of every event' : `start of every ${anchor.types.join(', ')}`;
    case 'activity-deadline':
      return "end of the activity's deadline day";
    case 'round-deadline':
      return 'feedback round deadline';
    case 'run-open':
      return 'questionnaire opens';
    case 'run-close':
      return 'questionnaire closes';
  }
}

function offsetText(offset: object): string {
  const parts = Object.entries(offset).map(([unit, n]) => `${n} ${unit}`);
  return parts.length ? parts.join(' ') : 'at the anchor';
}
