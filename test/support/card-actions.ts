/**
 * Every `Action.Submit` of what the bot sent to Teams, at any depth: an activity's card attachments,
 * or a card itself (a dialog's content).
 */
export function submitActionsOf(body: any): any[] {
  const out: any[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'Action.Submit') out.push(node);
    for (const value of Object.values(node)) walk(value);
  };
  walk(body?.attachments ?? body);
  return out;
}
