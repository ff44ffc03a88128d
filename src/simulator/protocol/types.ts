/**
 * The Modbus slave side, independent of what device it simulates: a server hands each
 * request's PDU to the unit addressed, and frames the answer for its transport.
 */

/** Thrown by a unit to answer with a Modbus exception (1 illegal function, 2 illegal address, 3 illegal value, 4 device failure). */
export class ModbusException extends Error {
  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? `Modbus exception ${code}`);
    this.name = 'ModbusException';
  }
}

/** One simulated slave. Methods throw ModbusException to answer with an exception. */
export interface ModbusUnit {
  /** Function 3 (and 4): `count` words from `address`. */
  readHoldingRegisters(address: number, count: number): number[];
  /** Function 6 (one word, `fn` 6) or 16 (several, `fn` 16). */
  writeRegisters(address: number, values: number[], fn: 6 | 16): void;
}

/** Faults a test or benchmark can switch on and off while the server runs. */
export interface FaultSettings {
  /** Added delay before every answer, in ms. */
  latencyMs: number;
  /** Unit ids that never answer (as if absent from the bus). */
  silentUnits: Set<number>;
  /** Unit ids whose answers are corrupted (bad CRC on RTU, wrong byte count/length on TCP). */
  garbledUnits: Set<number>;
  /** Register address -> exception code, answered for any read or write that touches it. */
  exceptionAt: Map<number, number>;
  /**
   * Refuse the `nth` write request (function 6 or 16, counted from when this object was
   * set, 1 = the next one) and the `count - 1` after it (default 1) with exception `code`;
   * nothing of a refused write is applied. Undefined: no write is refused.
   */
  refuseWrite?: WriteRefusal;
}

/** Which write requests a simulator refuses: see `FaultSettings.refuseWrite`. */
export interface WriteRefusal {
  nth: number;
  code: number;
  count?: number;
}

export interface ServerStats {
  /** Well-formed requests received (valid CRC / MBAP header). */
  requests: number;
  /** Answers written (including garbled ones). */
  answered: number;
  /** Requests left unanswered: unknown or silent unit, broadcast, link gone before the answer. */
  ignored: number;
  /** Frames thrown away before reaching a unit: bad CRC, bad MBAP header, garbage. */
  rejectedFrames: number;
}

export interface RunningServer {
  /** The TCP port actually bound (0 for serial). */
  readonly port: number;
  /** Live-editable faults. */
  readonly faults: FaultSettings;
  readonly stats: ServerStats;
  /** Drop every open client connection now (TCP kinds); the server keeps listening. */
  dropConnections(): void;
  /** Stop listening, close every connection/port, clear every timer. */
  close(): Promise<void>;
}

/**
 * Which unit answers for a unit id; undefined = nobody (no answer, as on a real bus).
 * Unit id 0 is the broadcast address: the unit returned for 0 (if any) performs writes
 * (functions 6 and 16) and never answers.
 */
export type UnitLookup = (unitId: number) => ModbusUnit | undefined;
