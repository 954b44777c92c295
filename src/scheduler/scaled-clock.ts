import type { Clock } from '../core/clock.js';
import type { ScaledTime } from './queue.js';

/**
 * A clock that runs `speed` times faster than real time from `start`. BullMQ delays are real, so
 * the queue asks it how long a virtual wait really is: a 16-week timeline plays out in seconds
 * with BullMQ's own delayed-job machinery doing the waiting.
 */
export class ScaledClock implements Clock, ScaledTime {
  private readonly realStart = Date.now();
  constructor(
    private readonly start: Date,
    readonly speed: number,
  ) {}

  now(): Date {
    return new Date(this.start.getTime() + (Date.now() - this.realStart) * this.speed);
  }

  realDelayMs(due: Date): number {
    return (due.getTime() - this.now().getTime()) / this.speed;
  }
}
