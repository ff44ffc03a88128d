/** The simulated DIRIS meter: the register model behind the simulator's Modbus servers. */
export { DirisMeter, type DirisMeterOptions, type OverrideTarget } from './meter';
export { DirisBus } from './bus';
export { MEASUREMENT_KEYS, type MeasurementKey, type Measurements } from './physics';
export { SETTING_DEFAULTS, USER_SETTINGS_BLOCKS } from './settings';
