import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../adapters/slack/oauth.js';

const manifests = ['manifest.yml', 'manifest.socket-mode.yml'].map((name) => ({
  name,
  manifest: parse(readFileSync(new URL(`../../adapters/slack/${name}`, import.meta.url), 'utf8')),
}));

describe.each(manifests)('when a workspace admin creates the app from $name', ({ name, manifest }) => {
  it('declares the /lc command, the Home tab, interactivity and the events the adapter listens to', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/lc']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'app_uninstalled', 'message.im', 'tokens_revoked']);
  });

  it('asks for every scope the adapter uses, and only those', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'chat:write', 'commands', 'im:history', 'im:write', 'users:read', 'users:read.email']);
    // An install through /slack/install asks for the same scopes.
    expect([...BOT_SCOPES].sort()).toEqual(manifest.oauth_config.scopes.bot.sort());
  });

  it('keeps within Slack\'s manifest limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });

  it(name === 'manifest.yml' ? 'sends everything to /slack/events' : 'uses Socket Mode, with no request URLs', () => {
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0].url];
    if (name === 'manifest.yml') {
      expect(manifest.settings.socket_mode_enabled).toBe(false);
      for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
      // OAuth mode sends the installer back to the bot's redirect path.
      expect(manifest.oauth_config.redirect_urls.map((url: string) => new URL(url).pathname)).toEqual(['/slack/oauth_redirect']);
    } else {
      expect(manifest.settings.socket_mode_enabled).toBe(true);
      expect(urls.filter(Boolean)).toEqual([]);
    }
  });
});
