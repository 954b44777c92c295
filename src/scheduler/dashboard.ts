import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { AdapterMount } from '../server/app.js';
import { requireAdminToken } from '../server/admin-token.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues for operators. Without ADMIN_TOKEN it does not exist (404); with it,
 * the token is required as a Bearer token or as the password of HTTP Basic auth (browsers prompt).
 */
export function dashboardMount(adminToken: string | undefined, queue: () => Queue): AdapterMount {
  return {
    name: 'queue-dashboard',
    path: DASHBOARD_PATH,
    mount(app) {
      if (!adminToken) {
        app.use(DASHBOARD_PATH, (_req, res) => void res.status(404).type('text').send('The queue dashboard is off: set ADMIN_TOKEN to enable it.'));
        return;
      }
      const serverAdapter = new ExpressAdapter();
      serverAdapter.setBasePath(DASHBOARD_PATH);
      let built = false;
      const router = serverAdapter.getRouter();
      app.use(DASHBOARD_PATH, requireAdminToken(adminToken), (req, res, next) => {
        // Built on first use, so a bot whose dashboard nobody opens never connects a queue for it.
        if (!built) {
          // @bull-board/express pins its own copy of @bull-board/api (a patch version apart): same shape, separate types.
          createBullBoard({ queues: [new BullMQAdapter(queue(), { readOnlyMode: false })], serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
          built = true;
        }
        router(req, res, next);
      });
    },
  };
}

