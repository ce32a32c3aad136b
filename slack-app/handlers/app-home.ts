import type { App } from '@slack/bolt';
import type { SlackAppDeps } from '../deps';
import { appHomeOpenedSchema } from '../payloads';
import { publishHome } from '../publish-home';

/** App Home is drawn afresh each time it is opened: nothing to keep in sync. */
export function registerAppHome(app: App, deps: SlackAppDeps): void {
  app.event('app_home_opened', async ({ event, client, logger }) => {
    const opened = appHomeOpenedSchema.safeParse(event);
    if (!opened.success) return logger.warn(`app_home_opened: unreadable event: ${opened.error.message}`);
    if (opened.data.tab !== 'home') return;
    await publishHome(client, deps.client, opened.data.user);
  });
}
