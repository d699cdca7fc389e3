import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { StoredRecentRfcs } from './recentRfcs';

describe('StoredRecentRfcs', () => {
  const rfc = {
    id: 'RFC-000042',
    title: 'Apply OS updates outside the window',
    status: 'Scheduled',
    updatedAt: '2026-11-20T10:00:00.000Z',
    description: 'not exposed',
  };
  const store = { list: jest.fn(async () => ({ items: [rfc] as any[] })) };

  beforeEach(() => store.list.mockClear());

  it('lists the newest RFCs against the entity when the caller may read RFCs', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: jest.fn(async () => [
        { result: AuthorizeResult.ALLOW },
      ]) as any,
    });
    const source = new StoredRecentRfcs(store as any, permissions);
    const credentials = mockCredentials.user('user:default/ana');
    await expect(
      source.listRecentRfcs('component:default/payments-api', 5, credentials),
    ).resolves.toEqual([
      {
        id: 'RFC-000042',
        title: 'Apply OS updates outside the window',
        status: 'Scheduled',
        updatedAt: '2026-11-20T10:00:00.000Z',
      },
    ]);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: expect.objectContaining({ name: 'ops.rfc.read' }) }],
      { credentials },
    );
    expect(store.list).toHaveBeenCalledWith({
      targetEntityRef: 'component:default/payments-api',
      sort: 'updatedAt',
      order: 'desc',
      limit: 5,
    });
  });

  it('refuses, without reading the store, when the caller may not read RFCs', async () => {
    const source = new StoredRecentRfcs(
      store as any,
      mockServices.permissions({ result: AuthorizeResult.DENY }),
    );
    await expect(
      source.listRecentRfcs(
        'component:default/payments-api',
        5,
        mockCredentials.user(),
      ),
    ).rejects.toBeInstanceOf(NotAllowedError);
    expect(store.list).not.toHaveBeenCalled();
  });
});
