/**
 * Where the replies to one Slack interaction go. Built by the adapter from the payload; small
 * enough to travel in a modal's private_metadata so a submission can answer where the modal began.
 */
export interface ReplyTarget {
  teamId: string;
  /** The Enterprise Grid org, when the request came from one: an org-wide install covers the team through it. */
  enterpriseId?: string;
  userId: string;
  /** The interaction's response_url (slash commands, message buttons): replies work in any channel. */
  responseUrl?: string;
  /** The channel the interaction happened in. */
  channel?: string;
  /** Reply inside this thread. */
  threadTs?: string;
  /** True in the person's DM with the bot (ephemeral makes no sense there). */
  direct: boolean;
  /**
   * The message whose button was pressed (or whose "Open the form" button opened the modal): what a
   * reply with replaceOriginal takes the place of. Absent for commands and for modals opened
   * directly, whose outcome has no message to replace.
   */
  carrier?: { channel: string; ts: string; ephemeral: boolean };
  /**
   * The modal whose button was pressed: its outcome takes the modal's place (views.update, with the hash
   * Slack gave so a newer content is never overwritten), and a form it answers with is pushed on top.
   */
  modal?: { id: string; hash?: string; title: string };
}
