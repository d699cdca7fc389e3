export * from './freezes';
export * from './windows';
export * from './changeClass';
export * from './calendar';
