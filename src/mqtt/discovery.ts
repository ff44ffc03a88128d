/**
 * Home Assistant MQTT discovery: one retained config per value, grouped under one device
 * per meter. Which device_class and state_class a value gets follows from its unit: the
 * unit is the one fact the register map gives for every value, so a new field or table
 * needs no edit here.
 */
import { discoveryId } from './topics';

/** What Home Assistant needs to know of a meter to show it as a device. */
export interface MeterDevice {
  /** The topic level and display name of the meter (its name or serial number). */
  meter: string;
  serialNumber: string;
  /** Product name from the identification block ("DIRIS A20"). */
  model: string;
  softwareVersion: string;
  /** The meter's own product version, shown as the hardware version. */
  hardwareVersion?: string;
}

export interface SensorClasses {
  device_class?: string;
  state_class?: 'measurement' | 'total_increasing';
}

/**
 * Home Assistant's device classes by unit. Energy counters and the hour meter only grow
 * (a reset starts a new cycle): total_increasing. Reactive and apparent energy have no
 * Home Assistant device class that accepts kvarh / kVAh in every supported version, so
 * they are total_increasing counters without one.
 */
const CLASSES_BY_UNIT: Record<string, SensorClasses> = {
  V: { device_class: 'voltage', state_class: 'measurement' },
  A: { device_class: 'current', state_class: 'measurement' },
  W: { device_class: 'power', state_class: 'measurement' },
  var: { device_class: 'reactive_power', state_class: 'measurement' },
  VA: { device_class: 'apparent_power', state_class: 'measurement' },
  Hz: { device_class: 'frequency', state_class: 'measurement' },
  '%': { state_class: 'measurement' },
  Wh: { device_class: 'energy', state_class: 'total_increasing' },
  kWh: { device_class: 'energy', state_class: 'total_increasing' },
  MWh: { device_class: 'energy', state_class: 'total_increasing' },
  varh: { state_class: 'total_increasing' },
  kvarh: { state_class: 'total_increasing' },
  Mvarh: { state_class: 'total_increasing' },
  VAh: { state_class: 'total_increasing' },
  kVAh: { state_class: 'total_increasing' },
  MVAh: { state_class: 'total_increasing' },
  h: { device_class: 'duration', state_class: 'total_increasing' },
};

/**
 * The classes of a value: from its unit; a number without a unit is a power factor
 * (-1..1; the only unitless numbers among the measurements); text (enum names such as
 * "lagging") gets none, as Home Assistant wants for non-numeric sensors.
 */
export function sensorClasses(unit: string, value: unknown): SensorClasses {
  if (typeof value !== 'number') return {};
  if (unit === '') return { device_class: 'power_factor', state_class: 'measurement' };
  return CLASSES_BY_UNIT[unit] ?? { state_class: 'measurement' };
}

export interface DiscoveryOptions {
  /** Where the sensor reads its state. */
  stateTopic: string;
  /** A Jinja template reading the value out of a JSON state, when the state topic holds one. */
  valueTemplate?: string;
  /** Topics that must all say "online" for the sensor to be available (the meter's, the Node-RED instance's). */
  availabilityTopics: string[];
  /** The package, for Home Assistant's "origin" (shown in its MQTT info). */
  origin: { name: string; sw_version: string };
}

/** The unique id of a value of a meter: from the serial, so renaming the meter keeps Home Assistant's history. */
export function uniqueId(serialNumber: string, key: string): string {
  return discoveryId(`socomec_${serialNumber}_${key}`);
}

/** The discovery config of one value. */
export function sensorConfig(device: MeterDevice, key: string, unit: string, value: unknown, options: DiscoveryOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    name: key,
    unique_id: uniqueId(device.serialNumber, key),
    state_topic: options.stateTopic,
  };
  if (options.valueTemplate !== undefined) config.value_template = options.valueTemplate;
  if (unit !== '') config.unit_of_measurement = unit;
  Object.assign(config, sensorClasses(unit, value));
  config.availability = options.availabilityTopics.map((topic) => ({ topic }));
  config.availability_mode = 'all';
  config.payload_available = 'online';
  config.payload_not_available = 'offline';
  config.device = {
    identifiers: [discoveryId(`socomec_${device.serialNumber}`)],
    manufacturer: 'Socomec',
    model: device.model,
    name: device.meter,
    serial_number: device.serialNumber,
    sw_version: device.softwareVersion,
    ...(device.hardwareVersion !== undefined ? { hw_version: device.hardwareVersion } : {}),
  };
  config.origin = options.origin;
  return config;
}
