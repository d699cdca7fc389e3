export * from './OpsApi';
export * from './OpsClient';
