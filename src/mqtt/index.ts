export * from './topics';
export * from './discovery';
export * from './formatter';
