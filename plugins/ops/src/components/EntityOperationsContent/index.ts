export { EntityOperationsContent } from './EntityOperationsContent';
export { isOperationsAvailable, getAwsMapping } from './isOperationsAvailable';
