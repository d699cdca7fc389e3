import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type Permission,
} from '@backstage/plugin-permission-common';
import type {
  OpsNotification,
  OpsNotifier,
} from '../../Notifications/OpsNotifier';

/** Memberships of the people the tests use. */
export const MEMBERS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/bo': ['group:default/payments', 'group:default/search'],
  'user:default/chen': ['group:default/central-it'],
  'user:default/dana': ['group:default/central-it', 'group:default/Payments'],
  'user:default/eve': ['group:default/search'],
  'user:default/frank': ['group:default/payments'],
};

/** Answers with the memberships above; each user also owns themselves. */
export function fakeUserInfo(): UserInfoService {
  return {
    async getUserInfo(credentials: BackstageCredentials) {
      const { userEntityRef } = credentials.principal as BackstageUserPrincipal;
      return {
        userEntityRef,
        ownershipEntityRefs: [userEntityRef, ...(MEMBERS[userEntityRef] ?? [])],
      };
    },
  };
}

/** Allows everything except the listed permission names for the listed users. */
export function fakePermissions(
  denied: Record<string, string[]> = {},
): PermissionsService {
  const decide = (
    requests: { permission: Permission }[],
    credentials: BackstageCredentials,
  ) => {
    const user = (credentials.principal as Partial<BackstageUserPrincipal>)
      .userEntityRef;
    return requests.map(({ permission }) => ({
      result: (denied[user ?? ''] ?? []).includes(permission.name)
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    }));
  };
  return {
    authorize: async (requests, options) =>
      decide(requests, options.credentials) as any,
    authorizeConditional: async (requests, options) =>
      decide(requests, options.credentials) as any,
  };
}

/** Records what would have been sent. */
export class RecordingNotifier implements OpsNotifier {
  readonly sent: OpsNotification[] = [];

  async notify(notification: OpsNotification) {
    this.sent.push(notification);
  }

  async notifyOnce(_key: string, notification: OpsNotification) {
    this.sent.push(notification);
    return true;
  }
}
