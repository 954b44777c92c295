/**
 * Slack's Block Kit limits, in one place, so the renderer can keep every payload inside them.
 * Source: api.slack.com/reference/block-kit (blocks, elements, composition objects, views).
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  blockId: 255,
  optionsPerSelect: 100,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAlt: 2_000,
  imageUrl: 3_000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3_000,
  inputLabel: 2_000,
  inputHint: 2_000,
  inputMaxLength: 3_000,
  /** Top-level `text` of a message: Slack truncates above 40k; we keep notifications short. */
  messageText: 3_000,
} as const;
