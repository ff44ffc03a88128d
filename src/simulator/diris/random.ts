/**
 * Seeded randomness for the meter model. Everything random is drawn once, at
 * construction, from the seed; values over time come from smooth functions of the
 * clock, so the same seed and the same clock always give the same registers.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for plausible meter values. */
export function seededRandom(seed: number): () => number {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform draw in [min, max). */
export function between(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/**
 * A slow, smooth wobble around 0 in [-1, 1]: two sines with seeded periods and phases.
 * Smooth so that averages, maxima and integrated energies behave like a real load.
 */
export class SmoothWave {
  private readonly periods: [number, number];
  private readonly phases: [number, number];

  constructor(random: () => number, minPeriodS: number, maxPeriodS: number) {
    this.periods = [between(random, minPeriodS, maxPeriodS), between(random, minPeriodS / 5, maxPeriodS / 5)];
    this.phases = [between(random, 0, 2 * Math.PI), between(random, 0, 2 * Math.PI)];
  }

  /** The wave at `timeS` seconds: 0.75 of a slow sine plus 0.25 of a faster one. */
  at(timeS: number): number {
    // Reducing the time modulo the period first keeps Math.sin's argument small (fast and exact).
    const slow = Math.sin((2 * Math.PI * (timeS % this.periods[0])) / this.periods[0] + this.phases[0]);
    const fast = Math.sin((2 * Math.PI * (timeS % this.periods[1])) / this.periods[1] + this.phases[1]);
    return 0.75 * slow + 0.25 * fast;
  }
}
