import type { BlockDef } from '../types';

/** The models this package speaks, one per published table. */
export type ModelId = 'A10' | 'A14' | 'A20' | 'E14' | 'E23' | 'E34';

/** One register of a reset command and the bits a reset name sets in it. */
export interface ResetTarget {
  readonly address: number;
  readonly mask: number;
}

/** A block of the published table this package does not model, and why. */
export interface UnmappedBlock {
  readonly start: number;
  readonly why: string;
}

export interface MeterProfile {
  readonly id: ModelId;
  /** "DIRIS A-10" */
  readonly name: string;
  /** The published table this profile follows. */
  readonly document: string;
  /**
   * Product / extended names that identify the model, compared lower-case without
   * spaces, hyphens or underscores ("diris a-10" and "DIRIS A10" are both "dirisa10").
   */
  readonly names: readonly string[];
  readonly blocks: readonly BlockDef[];
  /** Reset names -> the command registers and bits that perform them ("energies", "all" included). */
  readonly resets: Readonly<Record<string, readonly ResetTarget[]>>;
  /** Command register 57856 action codes this model accepts. */
  readonly actions: Readonly<Record<number, string>>;
  /** Blocks of the table left out, each with the reason. */
  readonly unmapped: readonly UnmappedBlock[];
  /** What this model differs in, in one line each (README and register reference). */
  readonly differences: readonly string[];
}
