/** Data types exactly as the register table names them. */
export type DataType =
  | 'U8'
  | 'U8_HEX'
  | 'U16'
  | 'U16_HEX'
  | 'S16'
  | 'U32'
  | 'S32'
  | 'U64_HEX'
  | 'STRING_16'
  | 'STRING_NORM'
  | 'DATETIME_3'
  | 'U16[]'
  | 'U32[]';

export type BlockKind = 'info' | 'settings' | 'commands';

export type Category =
  | 'identification'
  | 'settings'
  | 'commands'
  | 'measurements'
  | 'alarms'
  | 'extensions'
  | 'industrialization'
  | 'legacy';

export type LockLevel = 'NONE' | 'USER';

/** Modbus access rights as the table lists them. */
export type Access = 'READ' | 'WRITE' | 'WRITE_MANY';

/**
 * How a field's raw words become a user value.
 * - `scale`: raw count x scale = value in `unit` (numbers only).
 * - `enumValues`: raw number -> name; the decoded value is the name.
 * - `split10000`: two words, value = second word x 10000 + first word
 *   (the legacy "<10 000" / ">10 000" counters).
 * - `flag`: 0/1 -> false/true.
 * - `bits`: bit number -> name; decoded as `{ name: boolean }`.
 */
export interface FieldDef {
  /** Stable payload key, unique within its block (a valid JS identifier). */
  readonly key: string;
  readonly address: number;
  /** Word count as the table states it. */
  readonly words: number;
  /** English label for the editor and docs. */
  readonly label: string;
  /** The description as the table gives it (ASCII-mangled), where it helps traceability. */
  readonly tableText?: string;
  /** Unit of the decoded value ('' when none). */
  readonly unit: string;
  readonly type: DataType;
  readonly scale?: number;
  readonly enumValues?: Readonly<Record<number, string>>;
  readonly bits?: Readonly<Record<number, string>>;
  readonly flag?: boolean;
  readonly split10000?: boolean;
  /**
   * Raw code -> the number it stands for, when a model codes a number (the A-10 writes
   * CT secondary 1 A as 0 at 36353): decoded as the number, encoded back to its code.
   */
  readonly numericCodes?: Readonly<Record<number, number>>;
  /** The only raw values a setting accepts (e.g. CT secondary 1 or 5), when not an enum. */
  readonly allowedValues?: readonly number[];
  /**
   * How many consecutive table rows this one field stands for (default 1). The legacy
   * split counters ("<10 000" and ">10 000") are two U16 rows decoded as one value.
   */
  readonly tableRows?: number;
  /** Valid raw range for settings (inclusive), before scaling. */
  readonly min?: number;
  readonly max?: number;
  /** True when an ordinary flow may change it (settings blocks only). */
  readonly writable: boolean;
  /** A reserved or undocumented word: kept so the map is complete, not emitted by default. */
  readonly reserved: boolean;
  /** Why this field departs from the table, when it does. */
  readonly note?: string;
  /**
   * The key of the enum field of the same block that names this field's quantity (the
   * alarm thresholds' `alarmType`): the raw count is in that quantity's register unit, so
   * the value's scale and unit follow it (see device/quantity-scale.ts). No `scale` then.
   */
  readonly quantityField?: string;
}

export interface BlockDef {
  /** Stable block id, e.g. 'instantaneous', 'energies', 'identification'. */
  readonly id: string;
  readonly title: string;
  readonly start: number;
  /** Size in words as the table states it. */
  readonly size: number;
  readonly kind: BlockKind;
  readonly category: Category;
  readonly lockLevel: LockLevel;
  readonly lockedAccess: readonly Access[];
  readonly unlockedAccess: readonly Access[];
  /** Only writable with the factory option on (block 0, industrialization). */
  readonly factoryOnly: boolean;
  readonly fields: readonly FieldDef[];
}

/** A decoded value as it appears in msg.payload. */
export type FieldValue =
  | number
  | string
  | boolean
  | number[]
  | Readonly<Record<string, boolean>>
  | null;
