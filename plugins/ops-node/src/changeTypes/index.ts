export { readChangeTypeGovernance } from './governance';
