export * from './types';
export { DirisDevice, type DeviceOptions } from './diris-device';
export { DeviceError, describeError, toDeviceError, meterName, type DeviceErrorKind } from './errors';
export { decodeReplies, type DecodedValues } from './decode';
export { measurementFieldList, selectMeasurementFields, type MeasurementField, type MeasurementSelection } from './measurements';
export { settingsFieldList, validateSettings, type SettingsField } from './settings';
export { RESET_MASKS, RESET_NAMES, resolveResetMask, resetNamesOf } from './reset';
export { alarmEvents, alarmSide } from './alarms';
export { buildIdentity } from './identity';
