/**
 * The slash command both bench loads send: the i-th command of a person alternates `/lc help` and
 * `/lc me` (quick, read-only answers), from their DM, answered at `responseUrl`. Without `command`,
 * which the sender adds. Each has its own trigger_id, as Slack gives every command (the bot notes each
 * one in Redis for retries), also across the warm-up and measured runs, which both count from 0.
 */
export function benchCommandFields(user: string, i: number, responseUrl: string): Record<string, string> {
  return {
    text: i % 2 === 0 ? 'help' : 'me',
    team_id: 'T1',
    channel_id: `D${user.slice(1)}`,
    user_id: user,
    response_url: responseUrl,
    trigger_id: `bench-${i}-${Math.random().toString(36).slice(2)}`,
    api_app_id: 'A1',
  };
}
