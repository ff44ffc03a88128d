/** What one request's reply carried. */
export type OperationReply =
  | { fn: 3; values: number[] }
  | { fn: 6; address: number; value: number }
  | { fn: 16; address: number; length: number };
