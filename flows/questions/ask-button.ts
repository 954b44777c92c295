import type { Translate } from '../../src/core/i18n.js';
import { ui, type Button } from '../../src/core/messages.js';

/**
 * The "Ask a resource person" button other views (the member's home, the plan) include: it runs
 * `/lc ask` as if typed, so it works the same on every platform.
 */
export function askResourcePersonButton(t: Translate, style?: Button['style']): Button {
  return ui.commandButton(t('questions:button.ask'), 'ask', style);
}
