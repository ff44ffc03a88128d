/**
 * Time as the transport sees it: the current time and one-shot timers. Everything in the
 * transport that waits (request timeouts, queue deadlines, backoffs, reconnects, pauses)
 * goes through one of these, so a test can drive time instead of waiting for it.
 */

/** A timer handle, only good for `clearTimeout` of the clock that made it. */
export type ClockTimer = object;

export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /** Call `callback` once, `ms` from now. */
  setTimeout(callback: () => void, ms: number): ClockTimer;
  /** Cancel a timer that has not fired; a fired or cancelled one is ignored. */
  clearTimeout(timer: ClockTimer): void;
}

/** The wall clock: Date.now and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

