import type { Db } from './db.js';
import { translator, type Translate } from './i18n.js';
import type { OutboundMessage } from './messages.js';
import type { DeliveryResult, Notifier, NotifyOptions } from './notifier.js';

/** Who a message is for, as far as its words go: their language and time zone. */
export interface Reader {
  id: string;
  displayName: string;
  locale: string;
  timeZone: string;
}

/** The readers of the given people (unknown ids are left out). */
export async function readersOf(db: Db, personIds: string[]): Promise<Map<string, Reader>> {
  const rows = await db.person.findMany({ where: { id: { in: [...new Set(personIds)] } }, select: { id: true, displayName: true, locale: true, timeZone: true } });
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Sends a message to someone who did not just write, rendered in *their* language and time zone,
 * never the sender's: `render` gets the recipient's translator. The message carries the reader's
 * language too, so an adapter's own words around it (Teams' card chrome) match.
 */
export async function notifyInTheirLanguage(
  services: { db: Db; notifier: Notifier },
  personId: string,
  render: (t: Translate, reader: Reader) => OutboundMessage,
  options?: NotifyOptions & { reader?: Reader },
): Promise<DeliveryResult> {
  const reader = options?.reader ?? (await readersOf(services.db, [personId])).get(personId);
  if (!reader) return { delivered: false, reason: 'no such person' };
  const message = render(translator(reader.locale), reader);
  return services.notifier.notify(personId, { ...message, locale: message.locale ?? reader.locale }, options);
}
