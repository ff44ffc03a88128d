/**
 * The small physical model behind the simulated meter: a three-phase, four-wire network
 * (230 V, 50 Hz) feeding a slowly varying, slightly unbalanced, inductive load.
 *
 * The meter measures the CT secondary current; primary values are that current times the
 * CT ratio, which is why writing a different CT ratio rescales every current and power.
 * Every derived value comes from phasors, so the values agree with each other the way a
 * real meter's do: U12 = |V1 - V2| (about sqrt(3) x V), S = V x I, P = S cos(phi),
 * Q = S sin(phi), In = |I1 + I2 + I3|.
 */
import { SmoothWave, between } from './random';

export type Triple = [number, number, number];

/** Every instantaneous quantity the meter shows, in physical units (primary side). */
export const MEASUREMENT_KEYS = [
  'U12', 'U23', 'U31', 'V1', 'V2', 'V3', 'F', 'I1', 'I2', 'I3', 'In',
  'P', 'Q', 'S', 'PF', 'P1', 'P2', 'P3', 'Q1', 'Q2', 'Q3', 'S1', 'S2', 'S3', 'PF1', 'PF2', 'PF3',
  'iSys', 'uSys', 'vSys', 'pfIec', 'pf1Iec', 'pf2Iec', 'pf3Iec',
  'pfType', 'pf1Type', 'pf2Type', 'pf3Type', 'vUnbalance', 'uUnbalance', 'iUnbalance',
  'thdU12', 'thdU23', 'thdU31', 'thdV1', 'thdV2', 'thdV3', 'thdI1', 'thdI2', 'thdI3', 'thdIn',
] as const;

export type MeasurementKey = (typeof MEASUREMENT_KEYS)[number];
export type Measurements = Record<MeasurementKey, number>;

/** PF type codes of 50582..50585 (the map's PF_TYPES). */
export const PF_TYPE = { undefined: 0, leading: 1, lagging: 2 } as const;

/** Keys that feed the model (the rest is derived from them). */
const INPUT_KEYS = new Set<string>(['V1', 'V2', 'V3', 'I1', 'I2', 'I3', 'F', 'PF1', 'PF2', 'PF3']);

export function isMeasurementKey(key: string): key is MeasurementKey {
  return (MEASUREMENT_KEYS as readonly string[]).includes(key);
}

interface Phasor {
  re: number;
  im: number;
}

const phasor = (magnitude: number, angleRad: number): Phasor => ({
  re: magnitude * Math.cos(angleRad),
  im: magnitude * Math.sin(angleRad),
});
const magnitude = (p: Phasor): number => Math.hypot(p.re, p.im);

/** Phase voltage angles: V1 at 0, V2 at -120 degrees, V3 at +120 degrees. */
const PHASE_ANGLES: Triple = [0, (-2 * Math.PI) / 3, (2 * Math.PI) / 3];

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** IEC-style unbalance: the largest deviation from the average, in % of the average. */
function unbalancePercent(values: readonly number[]): number {
  const average = mean(values);
  if (average === 0) return 0;
  return (Math.max(...values.map((v) => Math.abs(v - average))) / average) * 100;
}

/** What the meter's inputs see at one instant (secondary current, before CT ratio). */
export interface PhysicalInputs {
  voltages: Triple;
  secondaryCurrents: Triple;
  /** Displacement power factors per phase: + lagging (inductive), - leading. */
  powerFactors: Triple;
  frequency: number;
  thd: Record<'thdU12' | 'thdU23' | 'thdU31' | 'thdV1' | 'thdV2' | 'thdV3' | 'thdI1' | 'thdI2' | 'thdI3' | 'thdIn', number>;
}

/** The seeded network and load: fixed per-phase offsets plus smooth variation over time. */
export class NetworkModel {
  private readonly nominalVoltages: Triple;
  private readonly voltageWaves: SmoothWave[];
  private readonly nominalCurrents: Triple;
  private readonly loadWave: SmoothWave;
  private readonly phaseLoadWaves: SmoothWave[];
  private readonly nominalPowerFactors: Triple;
  private readonly powerFactorWaves: SmoothWave[];
  private readonly frequencyWave: SmoothWave;
  private readonly thdWaves: SmoothWave[];

  constructor(random: () => number) {
    const triple = (draw: () => number): Triple => [draw(), draw(), draw()];
    this.nominalVoltages = triple(() => between(random, 228.5, 231.5));
    this.voltageWaves = [0, 1, 2].map(() => new SmoothWave(random, 300, 900));
    // Secondary amps on a 5 A CT: about 40 % load, phases a few % apart.
    this.nominalCurrents = triple(() => between(random, 1.9, 2.1));
    this.loadWave = new SmoothWave(random, 3600, 7200);
    this.phaseLoadWaves = [0, 1, 2].map(() => new SmoothWave(random, 900, 1800));
    const commonPowerFactor = between(random, 0.935, 0.955);
    this.nominalPowerFactors = triple(() => commonPowerFactor + between(random, -0.005, 0.005));
    this.powerFactorWaves = [0, 1, 2].map(() => new SmoothWave(random, 900, 1800));
    this.frequencyWave = new SmoothWave(random, 60, 300);
    this.thdWaves = Array.from({ length: 10 }, () => new SmoothWave(random, 300, 1200));
  }

  /** The inputs at `timeS` seconds, with every current multiplied by `loadFactor`. */
  inputsAt(timeS: number, loadFactor: number): PhysicalInputs {
    const load = 1 + 0.1 * this.loadWave.at(timeS);
    const voltages = this.nominalVoltages.map((v, i) => v + 0.6 * this.voltageWaves[i].at(timeS)) as Triple;
    const secondaryCurrents = this.nominalCurrents.map(
      (amps, i) => amps * load * (1 + 0.02 * this.phaseLoadWaves[i].at(timeS)) * loadFactor,
    ) as Triple;
    // Stays inside 0.92..0.97, always lagging: a motor-and-lighting load.
    const powerFactors = this.nominalPowerFactors.map((pf, i) => pf + 0.01 * this.powerFactorWaves[i].at(timeS)) as Triple;
    const wave = (i: number): number => this.thdWaves[i].at(timeS);
    return {
      voltages,
      secondaryCurrents,
      powerFactors,
      frequency: 50 + 0.04 * this.frequencyWave.at(timeS),
      thd: {
        thdU12: 2 + 0.7 * wave(0),
        thdU23: 2 + 0.7 * wave(1),
        thdU31: 2 + 0.7 * wave(2),
        thdV1: 2.2 + 0.7 * wave(3),
        thdV2: 2.2 + 0.7 * wave(4),
        thdV3: 2.2 + 0.7 * wave(5),
        thdI1: 10 + 4 * wave(6),
        thdI2: 10 + 4 * wave(7),
        thdI3: 10 + 4 * wave(8),
        thdIn: 35 + 10 * wave(9),
      },
    };
  }
}

/**
 * Primary-side measurements from the inputs and the CT ratio. `overrides` (physical
 * values, primary side) replace inputs before the derivation (V, I, F, per-phase PF),
 * so forcing I1 moves P1, S1, In and the totals with it; other keys replace the result.
 */
export function computeMeasurements(
  inputs: PhysicalInputs,
  ctRatio: number,
  overrides: ReadonlyMap<MeasurementKey, number> = new Map(),
): Measurements {
  const forced = (key: MeasurementKey, value: number): number => overrides.get(key) ?? value;
  const V = inputs.voltages.map((v, i) => forced(`V${i + 1}` as MeasurementKey, v)) as Triple;
  const I = inputs.secondaryCurrents.map((amps, i) => forced(`I${i + 1}` as MeasurementKey, amps * ctRatio)) as Triple;
  const pf = inputs.powerFactors.map((value, i) => forced(`PF${i + 1}` as MeasurementKey, value)) as Triple;
  const F = forced('F', inputs.frequency);

  // Displacement angle: + lagging (current behind voltage), - leading; clamp keeps acos defined.
  const phi = pf.map((value) => Math.sign(value || 1) * Math.acos(Math.min(1, Math.abs(value)))) as Triple;
  const voltagePhasors = V.map((v, i) => phasor(v, PHASE_ANGLES[i]));
  const currentPhasors = I.map((amps, i) => phasor(amps, PHASE_ANGLES[i] - phi[i]));

  const S = V.map((v, i) => v * I[i]) as Triple;
  const P = S.map((s, i) => s * Math.cos(phi[i])) as Triple;
  const Q = S.map((s, i) => s * Math.sin(phi[i])) as Triple;
  const U = [
    [0, 1],
    [1, 2],
    [2, 0],
  ].map(([a, b]) =>
    magnitude({ re: voltagePhasors[a].re - voltagePhasors[b].re, im: voltagePhasors[a].im - voltagePhasors[b].im }),
  ) as Triple;
  const neutral = currentPhasors.reduce((sum, p) => ({ re: sum.re + p.re, im: sum.im + p.im }), { re: 0, im: 0 });

  const totalP = P[0] + P[1] + P[2];
  const totalQ = Q[0] + Q[1] + Q[2];
  // Vector apparent power, so S^2 = P^2 + Q^2 holds for the totals as for each phase.
  const totalS = Math.hypot(totalP, totalQ);
  const arithmeticS = S[0] + S[1] + S[2];

  const measurements: Measurements = {
    U12: U[0], U23: U[1], U31: U[2],
    V1: V[0], V2: V[1], V3: V[2],
    F,
    I1: I[0], I2: I[1], I3: I[2],
    In: magnitude(neutral),
    P: totalP, Q: totalQ, S: totalS, PF: signedPowerFactor(totalP, totalQ, totalS),
    P1: P[0], P2: P[1], P3: P[2],
    Q1: Q[0], Q2: Q[1], Q3: Q[2],
    S1: S[0], S2: S[1], S3: S[2],
    PF1: signedPowerFactor(P[0], Q[0], S[0]),
    PF2: signedPowerFactor(P[1], Q[1], S[1]),
    PF3: signedPowerFactor(P[2], Q[2], S[2]),
    iSys: mean(I), uSys: mean(U), vSys: mean(V),
    // IEC sign convention: the sign of P (import +, export -), not lead/lag.
    pfIec: arithmeticS === 0 ? 0 : totalP / arithmeticS,
    pf1Iec: S[0] === 0 ? 0 : P[0] / S[0],
    pf2Iec: S[1] === 0 ? 0 : P[1] / S[1],
    pf3Iec: S[2] === 0 ? 0 : P[2] / S[2],
    pfType: powerFactorType(totalP, totalQ, totalS),
    pf1Type: powerFactorType(P[0], Q[0], S[0]),
    pf2Type: powerFactorType(P[1], Q[1], S[1]),
    pf3Type: powerFactorType(P[2], Q[2], S[2]),
    vUnbalance: unbalancePercent(V),
    uUnbalance: unbalancePercent(U),
    iUnbalance: unbalancePercent(I),
    ...inputs.thd,
  };
  for (const [key, value] of overrides) {
    if (!INPUT_KEYS.has(key)) measurements[key] = value;
  }
  return measurements;
}

/** Lagging when P and Q have the same sign (quadrants I and III), leading otherwise. */
function isLagging(p: number, q: number): boolean {
  return p * q > 0 || (p === 0 && q > 0);
}

/** Socomec's sign convention: |P| / S, negative when leading. */
function signedPowerFactor(p: number, q: number, s: number): number {
  if (s === 0) return 0;
  const value = Math.abs(p) / s;
  return q !== 0 && !isLagging(p, q) ? -value : value;
}

function powerFactorType(p: number, q: number, s: number): number {
  if (s === 0 || q === 0) return PF_TYPE.undefined;
  return isLagging(p, q) ? PF_TYPE.lagging : PF_TYPE.leading;
}
