import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  rfcReadPermission,
  RecentRfcSummary,
} from '@cloud-ops/plugin-ops-common';
import type { RfcStore } from '../../database/RfcStore';
import type { Callers } from '../Callers/Callers';
import type { RecentRfcsSource } from './OperationsService';

/**
 * Recent RFCs against an entity from the RFC store, behind the same
 * `ops.rfc.read` permission the RFC list checks, decided for the caller,
 * and only those the caller may read (owning team, requester, Central IT)
 * when `callers` is given.
 */
export class StoredRecentRfcs implements RecentRfcsSource {
  constructor(
    private readonly store: Pick<RfcStore, 'list'>,
    private readonly permissions: PermissionsService,
    private readonly callers?: Callers,
  ) {}

  async listRecentRfcs(
    entityRef: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<RecentRfcSummary[]> {
    const [decision] = await this.permissions.authorize(
      [{ permission: rfcReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${rfcReadPermission.name}`);
    }
    const visibleTo = this.callers
      ? this.callers.visibility(
          await this.callers.user(credentials, 'read RFCs'),
        )
      : undefined;
    const { items } = await this.store.list({
      targetEntityRef: entityRef,
      sort: 'updatedAt',
      order: 'desc',
      limit,
      ...(visibleTo ? { visibleTo } : {}),
    });
    return items.map(rfc => ({
      id: rfc.id,
      title: rfc.title,
      status: rfc.status,
      updatedAt: rfc.updatedAt,
    }));
  }
}
