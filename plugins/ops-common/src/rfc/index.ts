export * from './types';
export * from './stateMachine';
