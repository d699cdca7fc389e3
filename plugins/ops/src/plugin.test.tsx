import { opsApiRef } from './api';
import { EntityOperationsContent, OpsPage, opsPlugin } from './plugin';
import { rfcRouteRef, rootRouteRef } from './routes';

describe('legacy frontend system exports', () => {
  it('declares the plugin with its routes, API and extensions', () => {
    expect(opsPlugin.getId()).toBe('ops');
    expect(opsPlugin.routes).toEqual({ root: rootRouteRef, rfc: rfcRouteRef });
    expect([...opsPlugin.getApis()].map(f => f.api)).toEqual([opsApiRef]);
    expect(typeof OpsPage).toBe('function');
    expect(typeof EntityOperationsContent).toBe('function');
  });
});
