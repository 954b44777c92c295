import { Job, QueueEvents } from 'bullmq';
import { afterAll } from 'vitest';
import type { Bot } from '../../src/core/bot.js';
import type { OutboundMessage, Origin } from '../../src/core/messages.js';
import type { PlatformSender } from '../../src/core/notifier.js';
import { createRedis } from '../../src/core/redis.js';
import type { Platform } from '../../src/generated/prisma/enums.js';
import { deadlineJobId, QUESTIONS_QUEUE } from '../../src/scheduler/question-deadlines.js';
import type { Runtime } from '../../src/server/runtime.js';

/** A PlatformSender that records what it was asked to deliver, as a platform's fake would. */
export class RecordingSender implements PlatformSender {
  readonly sent: { externalId: string; message: OutboundMessage }[] = [];
  constructor(readonly platform: 'SLACK' | 'TEAMS' | 'WEB') {}
  async send(target: { externalId: string }, message: OutboundMessage): Promise<void> {
    this.sent.push({ externalId: target.externalId, message });
  }
  to(externalId: string): OutboundMessage[] {
    return this.sent.filter((s) => s.externalId === externalId).map((s) => s.message);
  }
  clear(): void {
    this.sent.length = 0;
  }
}

/** Gives a seeded demo person (web identity "web:<key>") an identity on another platform, seen now. */
export async function addIdentity(runtime: Runtime, webKey: string, platform: Platform, externalId: string): Promise<string> {
  const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${webKey}` } } });
  // The web identity is older: the notifier prefers the platform the person used last.
  await runtime.db.platformIdentity.update({ where: { id: web.id }, data: { lastSeenAt: new Date('2020-01-01T00:00:00Z') } });
  await runtime.db.platformIdentity.create({ data: { personId: web.personId, platform, externalId, lastSeenAt: new Date() } });
  return web.personId;
}

/** Like talkAs, but with an origin (a Slack thread), as an adapter would send it. */
export function talkIn(bot: Bot, platform: Platform, externalId: string, origin: Origin) {
  const identity = { platform, externalId };
  const send = async (event: Parameters<Bot['handle']>[0]['event']) => (await bot.handle({ identity, event, origin })).messages;
  return {
    command(verb: string, args: string) {
      return send({ type: 'command', verb, args, text: `/lc ${verb} ${args}` });
    },
    submit(formId: string, values: Record<string, string>) {
      return send({ type: 'form', formId, values });
    },
    press(actionId: string, value: string) {
      return send({ type: 'action', actionId, value });
    },
  };
}

/** Fires a planned deadline now through BullMQ (promote) and waits until the runtime's worker has handled it. */
export function deadlineDriver(runtime: Runtime) {
  const connection = createRedis(runtime.config.REDIS_URL, { forQueues: true });
  const events = new QueueEvents(QUESTIONS_QUEUE, { connection, prefix: runtime.config.REDIS_PREFIX });
  afterAll(async () => {
    await events.close();
    connection.disconnect();
  });
  const queue = runtime.questions.deadlines.queue;
  return {
    job(questionId: string, step: number) {
      return Job.fromId(queue, deadlineJobId(questionId, step));
    },
    /** Waits until the worker has handled a job that runs without a promote (planned for now). */
    async finished(questionId: string, step: number): Promise<unknown> {
      await events.waitUntilReady();
      const job = await Job.fromId(queue, deadlineJobId(questionId, step));
      if (!job) throw new Error(`no deadline job for step ${step}`);
      return job.waitUntilFinished(events, 20_000);
    },
    /** Promotes a job before its time and resolves when the worker has put it back among the delayed. */
    async fireEarly(questionId: string, step: number): Promise<void> {
      await events.waitUntilReady();
      const id = deadlineJobId(questionId, step);
      const backToDelayed = new Promise<void>((resolve) => {
        const listener = ({ jobId }: { jobId: string }) => {
          if (jobId !== id) return;
          events.off('delayed', listener);
          resolve();
        };
        events.on('delayed', listener);
      });
      const job = await Job.fromId(queue, id);
      if (!job) throw new Error(`no deadline job for step ${step}`);
      await job.promote();
      await backToDelayed;
    },
    async fire(questionId: string, step: number): Promise<unknown> {
      await events.waitUntilReady();
      const job = await Job.fromId(queue, deadlineJobId(questionId, step));
      if (!job) throw new Error(`no deadline job for step ${step}`);
      await job.promote();
      return job.waitUntilFinished(events, 20_000);
    },
  };
}
