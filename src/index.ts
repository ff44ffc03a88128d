/**
 * The package's plain TypeScript API, usable without Node-RED: the register map, codecs,
 * planner, transport, device logic and simulator.
 */
export * as registers from './registers';
export * as codec from './codec';
export * as planner from './planner';
export * from './device';
export { ModbusLink, LinkError, describeLink } from './transport';
export type { LinkConfig, LinkState, LinkStats, TransportKind } from './transport';
