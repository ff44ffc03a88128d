/**
 * The transport: one Modbus link (TCP, RTU serial, RTU over a TCP gateway), generic,
 * knowing nothing of Socomec.
 */
export { ModbusLink, type LinkOptions } from './link';
export { systemClock, type Clock, type ClockTimer } from './clock';
export type { ChannelOpener, LinkChannel } from './channel';
export { LinkError, classifyError, modbusExceptionName } from './errors';
export { reasonOf, textReason, TRANSPORT_PHRASES, wordReason, fillPhrase, type ErrorReason, type PhraseBook, type ReasonParam } from './reasons';
export { LINK_ERROR_KINDS } from './types';
export type { ErrorContext, LinkErrorDetails } from './errors';
export { describeLink, normalizeLinkConfig, rtuFrameGapMs } from './config';
export { BROADCAST_UNIT_ID, MAX_READ_REGISTERS, MAX_UNIT_ID, MAX_WRITE_REGISTERS } from '../modbus/limits';
export type {
  LinkConfig,
  LinkDiagnostics,
  LinkErrorKind,
  LinkEvents,
  LinkState,
  LinkStats,
  NormalizedLinkConfig,
  RequestOptions,
  TransportKind,
  UnitHealth,
} from './types';
