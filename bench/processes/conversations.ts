/**
 * The load of the memory benchmark, in its own process: people in the middle of a conversation,
 * each sending a signed slash command (`/lc help` and `/lc me`, alternating) and sending the next
 * one only once the answer has arrived, the way a person waits for the bot before typing again.
 * The answer is either in the ack or posted later to the command's response_url, which points at
 * this process's own small HTTP server. (autocannon cannot wait for a response_url post, and sending
 * the next request right after an empty ack would pile up work no person would ever send.)
 *
 * For the bare Bolt reference, whose acks are empty by design, the ack is the answer.
 *
 * argv[2]: JSON { url, secret, users: string[], durationSeconds, emptyAckAnswers?: boolean }
 * Sends over IPC: { type: 'result', requests, inline, later, busy, errors }
 */
import { createServer } from 'node:http';
import { slackClient } from '../../test/support/slack-requests.js';
import { benchCommandFields } from './bench-command.js';

const options = JSON.parse(process.argv[2]) as { url: string; secret: string; users: string[]; durationSeconds: number; emptyAckAnswers?: boolean };
/** An answer that has not come within this time counts as an error (Slack's response_url lives 30 min; people wait less). */
const ANSWER_TIMEOUT_MS = 30_000;

const waiting = new Map<string, () => void>();
const responses = createServer((req, res) => {
  const id = /^\/response\/(\S+)$/.exec(req.url ?? '')?.[1];
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (id) waiting.get(id)?.();
  });
});
await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
const address = responses.address();
const responseBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const slack = slackClient(options.url, options.secret);
const counts = { requests: 0, inline: 0, later: 0, busy: 0, errors: 0 };
const endAt = Date.now() + options.durationSeconds * 1000;
let sequence = 0;

async function converse(user: string): Promise<void> {
  while (Date.now() < endAt) {
    const i = sequence++;
    const id = String(i);
    // Registered before sending: the post may arrive before the ack does.
    const later = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ANSWER_TIMEOUT_MS);
      waiting.set(id, () => (clearTimeout(timer), resolve(true)));
    });
    counts.requests++;
    try {
      const response = await slack.command(benchCommandFields(user, i, `${responseBase}/response/${id}`));
      const ack = response.body;
      if (response.status < 200 || response.status >= 300) counts.errors++;
      else if (ack.includes('try again in a moment')) counts.busy++;
      else if (ack.trim() || options.emptyAckAnswers) counts.inline++;
      else if (await later) counts.later++;
      else counts.errors++;
    } catch {
      counts.errors++;
    } finally {
      waiting.delete(id);
    }
  }
}

await Promise.all(options.users.map((user) => converse(user)));
responses.close();
process.send?.({ type: 'result', ...counts });
process.disconnect?.();
