/**
 * Slack's Block Kit limits as Slack enforces them, written independently of the adapter's
 * renderer so the fake Slack can refuse what real Slack would refuse ("invalid_blocks").
 * Returns the problems found; an empty list means Slack would accept the payload.
 */
type Json = Record<string, any>;

const textLength = (t: Json | undefined) => (t && typeof t.text === 'string' ? t.text.length : 0);

/** Problems of a list of blocks (a message holds 50, a view 100). */
export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const blockIds = new Set<string>();
  blocks.forEach((block: Json, i) => {
    const at = `block ${i} (${block.type})`;
    if (block.block_id) {
      if (blockIds.has(block.block_id)) problems.push(`${at}: duplicate block_id ${block.block_id}`);
      blockIds.add(block.block_id);
      if (block.block_id.length > 255) problems.push(`${at}: block_id too long`);
    }
    switch (block.type) {
      case 'section':
        if (textLength(block.text) > 3000) problems.push(`${at}: text ${textLength(block.text)} chars (max 3000)`);
        if (!block.text && !block.fields) problems.push(`${at}: no text or fields`);
        if (block.text && textLength(block.text) === 0) problems.push(`${at}: empty text`);
        if (block.fields) {
          if (block.fields.length > 10) problems.push(`${at}: ${block.fields.length} fields (max 10)`);
          for (const f of block.fields) if (textLength(f) > 2000) problems.push(`${at}: field text over 2000`);
        }
        break;
      case 'header':
        if (textLength(block.text) > 150) problems.push(`${at}: header over 150`);
        if (block.text?.type !== 'plain_text') problems.push(`${at}: header must be plain_text`);
        break;
      case 'context':
        if (!block.elements?.length || block.elements.length > 10) problems.push(`${at}: ${block.elements?.length} elements`);
        for (const e of block.elements ?? []) if (textLength(e) > 3000) problems.push(`${at}: context text over 3000`);
        break;
      case 'actions': {
        if (!block.elements?.length || block.elements.length > 25) problems.push(`${at}: ${block.elements?.length} elements (max 25)`);
        const ids = new Set<string>();
        for (const e of block.elements ?? []) {
          if (ids.has(e.action_id)) problems.push(`${at}: duplicate action_id ${e.action_id}`);
          ids.add(e.action_id);
          problems.push(...elementProblems(e, at));
        }
        break;
      }
      case 'input':
        if (textLength(block.label) > 2000) problems.push(`${at}: label over 2000`);
        if (textLength(block.hint) > 2000) problems.push(`${at}: hint over 2000`);
        problems.push(...elementProblems(block.element ?? {}, at));
        break;
      case 'image':
        if (!block.image_url || block.image_url.length > 3000) problems.push(`${at}: image_url`);
        if (!block.alt_text || block.alt_text.length > 2000) problems.push(`${at}: alt_text`);
        break;
      case 'divider':
        break;
      default:
        problems.push(`${at}: unknown block type`);
    }
  });
  return problems;
}

function elementProblems(e: Json, at: string): string[] {
  const problems: string[] = [];
  if (e.action_id && e.action_id.length > 255) problems.push(`${at}: action_id over 255`);
  if (e.type === 'button') {
    if (textLength(e.text) > 75) problems.push(`${at}: button text over 75`);
    if (e.value && e.value.length > 2000) problems.push(`${at}: button value over 2000`);
    if (e.confirm) {
      if (textLength(e.confirm.title) > 100) problems.push(`${at}: confirm title over 100`);
      if (textLength(e.confirm.text) > 300) problems.push(`${at}: confirm text over 300`);
    }
  }
  if (e.options) {
    if (e.options.length > 100) problems.push(`${at}: ${e.options.length} options (max 100)`);
    for (const o of e.options) {
      if (textLength(o.text) > 75) problems.push(`${at}: option text over 75`);
      if (o.value.length > 150) problems.push(`${at}: option value over 150`);
    }
  }
  if (textLength(e.placeholder) > 150) problems.push(`${at}: placeholder over 150`);
  if (e.max_length && e.max_length > 3000) problems.push(`${at}: max_length over 3000`);
  return problems;
}

/** A modal or Home view as views.open / views.update / views.publish check it. */
export function viewProblems(view: Json): string[] {
  const problems = blockProblems(view.blocks, 100);
  if (view.type === 'modal') {
    if (!view.title || textLength(view.title) > 24) problems.push(`title ${textLength(view.title)} chars (max 24)`);
    if (view.submit && textLength(view.submit) > 24) problems.push('submit over 24');
    if (view.close && textLength(view.close) > 24) problems.push('close over 24');
    if ((view.blocks ?? []).some((b: Json) => b.type === 'input') && !view.submit) problems.push('inputs need a submit button');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push(`private_metadata ${view.private_metadata.length} chars (max 3000)`);
  return problems;
}

/** A message payload (chat.postMessage, response_url). */
export function messageProblems(message: Json): string[] {
  const problems = message.blocks === undefined ? [] : blockProblems(message.blocks, 50);
  if (!message.text && !(message.blocks?.length)) problems.push('no text and no blocks');
  return problems;
}
