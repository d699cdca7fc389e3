/**
 * The cloud operations frontend plugin: the entity Operations tab and the
 * `/ops` pages.
 *
 * @packageDocumentation
 */
export { opsPlugin, EntityOperationsContent, OpsPage } from './plugin';
export { isOperationsAvailable } from './components/EntityOperationsContent/isOperationsAvailable';
export * from './api';
export { rootRouteRef, rfcRouteRef } from './routes';
