import type { Clock } from '../core/clock.js';
import type { ScaledTime } from './queue.js';

/**
 * A clock that runs `speed` times faster than real time from `start`. BullMQ delays are real, so
 * the queue asks it how long a virtual wait really is: a 16-week timeline plays out in seconds
 * with BullMQ's own delayed-job machinery doing the waiting. It stands still at `start` until
 * `run()`, so setting up a scenario costs no virtual time.
 */
export class ScaledClock implements Clock, ScaledTime {
  private realStart: number | undefined;
  constructor(
    private readonly start: Date,
    readonly speed: number,
  ) {}

  run(): void {
    this.realStart ??= Date.now();
  }

  now(): Date {
    const elapsed = this.realStart === undefined ? 0 : Date.now() - this.realStart;
    return new Date(this.start.getTime() + elapsed * this.speed);
  }

  realDelayMs(due: Date): number {
    return (due.getTime() - this.now().getTime()) / this.speed;
  }
}
