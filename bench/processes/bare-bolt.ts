/**
 * The reference for command latency and memory: a bare Bolt app on the same receiver type as the
 * bot (ExpressReceiver on an express server, signature checking on), whose /lc command only acks.
 */
import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';

const receiver = new ExpressReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', processBeforeResponse: false });
const app = new App({ token: process.env.SLACK_BOT_TOKEN, receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
app.command(/^\/lc/, async ({ ack }) => {
  await ack();
});
const server = express();
server.use(receiver.router);
const listening = server.listen(0, () => {
  const address = listening.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, pid: process.pid });
});
process.once('SIGTERM', () => {
  listening.close(() => process.exit(0));
  listening.closeAllConnections();
});
