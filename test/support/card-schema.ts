import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

// The published schema names itself with draft-04's "id"; Ajv reads "$id".
const { id, ...rest } = JSON.parse(readFileSync(new URL('./specs/adaptive-card-1.5.0.json', import.meta.url), 'utf8'));
const schema = { $id: id, ...rest };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
ajv.addMetaSchema(draft06);
const validate = ajv.compile(schema);

/**
 * What the official Adaptive Cards 1.5 schema finds wrong with a card the bot sent (empty when
 * none): tests hold every card, including cards that replace others, against it.
 */
export function adaptiveCardProblems(card: unknown): string[] {
  // `msteams` (e.g. full width) is Teams' documented extension of the card, absent from the public schema.
  const { msteams: _teamsExtension, ...standard } = card as Record<string, unknown>;
  return validate(standard) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
