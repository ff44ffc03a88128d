/**
 * The package's API for use without Node-RED (`require('@diris-tools/node-red-socomec')`):
 * a link, a meter on it, a bus scan, the meter models, and the types their signatures use.
 * The simulator has its own entry, '@diris-tools/node-red-socomec/simulator'.
 * Everything else under dist/ is internal and may change in any release.
 */

// One Modbus link (TCP, RTU serial, RTU over a TCP gateway), knowing nothing of Socomec.
export { ModbusLink, type LinkOptions } from './transport/link';
export { systemClock, type Clock, type ClockTimer } from './transport/clock';
export type { ChannelOpener, LinkChannel } from './transport/channel';
export type { ModbusOperation } from './transport/operations';
export type { OperationReply } from './transport/reply';
export { LinkError } from './transport/errors';
export type { ErrorReason, ReasonParam } from './transport/reasons';
export { describeLink } from './transport/config';
export { LINK_ERROR_KINDS } from './transport/types';
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
} from './transport/types';
export { BROADCAST_UNIT_ID, MAX_READ_REGISTERS, MAX_UNIT_ID, MAX_WRITE_REGISTERS } from './modbus/limits';

// A Socomec meter at one unit id on a link.
export { DirisDevice, type DeviceOptions } from './device/diris-device';
export { DeviceError, DEVICE_ERROR_KINDS, type DeviceErrorDetails, type DeviceErrorKind } from './device/errors';
export { scanUnits, type ScanHit, type ScanResult } from './device/scan';
export { alarmEvents } from './device/alarms';
export { MODEL_CHOICES, type ModelChoice } from './device/detect';
export { RESET_NAMES } from './device/reset';
export { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, SETTINGS_BLOCKS } from './device/types';
export type {
  AlarmEvent,
  AlarmSide,
  AlarmState,
  Identity,
  MeasurementGroup,
  MeasurementTable,
  Reading,
  RegisterLink,
  ResetName,
  ResetResult,
  SettingsBlockId,
  SettingsChange,
  WriteSettingsOptions,
  WriteSettingsResult,
} from './device/types';
export type { MeasurementSelection } from './device/measurements';
export type { WantedField } from './planner';

// The meter models and their register tables.
export { MODEL_IDS, PROFILES, getProfile } from './registers/profiles';
export type { MeterProfile, ModelId } from './registers/profiles';
export type { BlockDef, FieldDef, FieldValue } from './registers/types';
