/**
 * The fair reference for a command: the least a correct bot must do to answer `/lc help` or `/lc me`.
 * A Bolt app on the same receiver as the bot (ExpressReceiver, signatures checked) that acks, runs one
 * indexed SQL query for the person through a pg pool the size of the bot's, renders a short Block Kit
 * reply and posts it to the command's response_url over a kept-alive connection. Hand-written, nothing
 * beyond Bolt and pg: no flows, no translations, no admission gate, no saved conversation.
 */
import http from 'node:http';
import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const agent = new http.Agent({ keepAlive: true });
const receiver = new ExpressReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', processBeforeResponse: false });
const app = new App({ token: process.env.SLACK_BOT_TOKEN, receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });

app.command(/^\/lc/, async ({ ack, command }) => {
  await ack();
  const { rows } = await pool.query<{ displayName: string; roles: number }>(
    `SELECT p."displayName", (SELECT count(*) FROM "Membership" m WHERE m."personId" = p.id AND m.status = 'ACTIVE')::int AS roles
     FROM "PlatformIdentity" i JOIN "Person" p ON p.id = i."personId" WHERE i.platform = 'SLACK' AND i."externalId" = $1`,
    [`${command.team_id}:${command.user_id}`],
  );
  const name = rows[0]?.displayName ?? 'there';
  const text =
    command.text.trim() === 'me'
      ? `*${name}*, you are in ${rows[0]?.roles ?? 0} clusters.`
      : `Hello ${name}. *Commands:* \`/lc me\` your clusters, \`/lc plan\` your action plan, \`/lc help\` this list.`;
  await post(command.response_url, { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
});

/** One JSON POST to a response_url, the answer read and dropped. */
function post(url: string, body: unknown): Promise<void> {
  const json = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) } }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    request.on('error', reject);
    request.end(json);
  });
}

const server = express();
server.use(receiver.router);
const listening = server.listen(0, () => {
  const address = listening.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, pid: process.pid });
});
process.once('SIGTERM', () => {
  listening.close(() => void pool.end().finally(() => process.exit(0)));
  listening.closeAllConnections();
});
