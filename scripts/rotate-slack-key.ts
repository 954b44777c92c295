import 'dotenv/config';
import { SlackInstallations } from '../adapters/slack/installations.js';
import { tokenBox } from '../adapters/slack/oauth.js';
import { loadConfigOrExit } from '../src/core/config.js';
import { createDb } from '../src/core/db.js';

/**
 * `npm run slack:rotate-key`: seals every stored Slack bot token with SLACK_TOKEN_ENCRYPTION_KEY.
 * Run it after putting the new key in SLACK_TOKEN_ENCRYPTION_KEY and the previous one in
 * SLACK_TOKEN_ENCRYPTION_OLD_KEYS; afterwards the old key can be removed (docs/slack.md). Running it
 * again changes nothing. The bot also re-seals a token whenever it reads one sealed with an old key.
 */
const config = loadConfigOrExit();
if (config.slackMode !== 'oauth') {
  console.error('Slack is not in OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set): there are no stored tokens to re-seal.');
  process.exit(1);
}
const db = createDb(config.DATABASE_URL);
const resealed = await new SlackInstallations(db, tokenBox(config)).resealAll();
console.log(`Re-sealed ${resealed} Slack bot token(s) with the current key.`);
await db.$disconnect();
