import { distance } from 'fastest-levenshtein';

/**
 * The one command grammar of every platform: "/lc <verb> [args]" in Slack and the web chat,
 * "lc <verb> [args]" or just "<verb> [args]" to the bot in Teams.
 */
export interface ParsedCommand {
  verb: string;
  args: string;
}

export const COMMAND_PREFIX = 'lc';
/** Longest command text accepted; longer input is refused with a clear message. */
export const MAX_COMMAND_LENGTH = 4_000;

/**
 * Parses typed text into a command. Returns null when the text is not a command.
 * @param allowBare accept "help" without the "lc" prefix (Teams personal chats).
 */
export function parseCommand(text: string, { allowBare = false } = {}): ParsedCommand | null {
  const trimmed = text.trim();
  const match = /^\/?lc(?:\s+|$)([\s\S]*)$/i.exec(trimmed);
  let rest: string;
  if (match) rest = match[1];
  else if (allowBare && trimmed.length > 0 && !trimmed.startsWith('/')) rest = trimmed;
  else return null;
  const [verb = '', ...tail] = rest.trim().split(/\s+/);
  const args = rest.trim().slice(verb.length).trim();
  return { verb: verb.toLowerCase() || 'help', args: tail.length ? args : '' };
}

/** The known verb closest to a mistyped one, if it is close enough to be a likely typo. */
export function closestVerb(verb: string, known: string[]): string | undefined {
  let best: { verb: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(verb, candidate);
    if (!best || d < best.d) best = { verb: candidate, d };
  }
  if (!best) return undefined;
  // Short verbs tolerate one slip; longer ones two (a swapped pair of letters counts as two).
  const tolerance = best.verb.length <= 3 ? 1 : 2 + Math.floor(best.verb.length / 8);
  return best.d <= tolerance || best.verb.startsWith(verb) ? best.verb : undefined;
}
