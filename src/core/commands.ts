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
