/**
 * The load generator, in its own process so it never shares an event loop with a server: signed
 * Slack slash commands (`/lc help` and `/lc me`, alternating, from a pool of users) with autocannon,
 * either at a fixed overall rate or as fast as `connections` allow. Prints nothing; sends the
 * result over IPC, with the time each request was sent (ms since the epoch, by request number),
 * so the runner can tell how long the reply took to reach the response_url
 * (`<RESPONSE_URL_BASE>/response/<runId>-<request number>`).
 *
 * argv[2]: JSON { url, secret, users: string[], rate?: number, connections, durationSeconds, runId }
 */
import autocannon from 'autocannon';
import { slackSignature } from '../../test/support/slack-requests.js';
import { benchCommandFields } from './bench-command.js';

const options = JSON.parse(process.argv[2]) as { url: string; secret: string; users: string[]; rate?: number; connections: number; durationSeconds: number; runId?: string };
let n = 0;
/** When request i was sent: autocannon builds each request right before writing it. */
const sentAt: number[] = [];

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  overallRate: options.rate,
  timeout: 10,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const i = n++;
        sentAt[i] = Date.now();
        const user = options.users[i % options.users.length];
        const body = new URLSearchParams({ command: '/lc', ...benchCommandFields(user, i, `${process.env.RESPONSE_URL_BASE}/response/${options.runId ?? 'run'}-${i}`) }).toString();
        const timestamp = Math.floor(Date.now() / 1000);
        return {
          ...request,
          body,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': slackSignature(options.secret, timestamp, body),
          },
        };
      },
    },
  ],
});

process.send?.({
  type: 'result',
  requests: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors + result.timeouts + result.non2xx,
  non2xx: result.non2xx,
  timeouts: result.timeouts,
  rate: result.requests.average,
  sentAt,
});
process.disconnect?.();
