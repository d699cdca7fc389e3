import type {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';

/** Who is calling, as the ops backend's own rules see them. */
export type Caller = {
  userEntityRef: string;
  /** The user's ownership refs (user and groups) as the identity gives them. */
  ownershipEntityRefs: string[];
  /** The same, lower-cased, for comparisons. */
  refs: Set<string>;
  centralIt: boolean;
  /**
   * The plugin that calls on the user's behalf (e.g. `plugin:scaffolder` for
   * a template's step); absent when the user calls directly.
   */
  actor?: string;
};

/** The service principal whose tokens a template's steps carry. */
export const SCAFFOLDER_SUBJECT = 'plugin:scaffolder';

/** Lower-cased full ref of a group, or undefined when `value` is not one. */
export function normalizeGroupRef(value: string): string | undefined {
  try {
    const ref = parseEntityRef(value.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group') return undefined;
    return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * Resolves callers and applies the rules every part of the backend shares:
 * only signed-in users act, Central IT is the group of `ops.centralIt.group`,
 * and a record is readable by its owning team, its requester and Central IT.
 */
export class Callers {
  readonly centralItGroup: string;

  constructor(
    private readonly options: {
      auth: AuthService;
      userInfo: UserInfoService;
      centralItGroup: string;
    },
  ) {
    this.centralItGroup =
      normalizeGroupRef(options.centralItGroup) ??
      options.centralItGroup.toLocaleLowerCase('en-US');
  }

  /** The signed-in user behind the credentials; services are refused with 403. */
  async user(credentials: BackstageCredentials, what: string): Promise<Caller> {
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(`only signed-in users may ${what}`);
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    const refs = new Set(
      info.ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    const actor = credentials.principal.actor?.subject;
    return {
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      refs,
      centralIt: refs.has(this.centralItGroup),
      ...(actor ? { actor } : {}),
    };
  }

  /** The owning team, the requester and Central IT may read it. */
  mayRead(
    caller: Caller,
    subject: { ownerGroup: string; requester?: string },
  ): boolean {
    return (
      caller.centralIt ||
      caller.refs.has(subject.ownerGroup.toLocaleLowerCase('en-US')) ||
      (subject.requester !== undefined &&
        subject.requester.toLocaleLowerCase('en-US') ===
          caller.userEntityRef.toLocaleLowerCase('en-US'))
    );
  }

  /** What a list query is limited to for this caller; undefined: everything. */
  visibility(
    caller: Caller,
  ): { ownerGroups: string[]; requester: string } | undefined {
    if (caller.centralIt) return undefined;
    return {
      ownerGroups: [...caller.refs].filter(r => r.startsWith('group:')),
      requester: caller.userEntityRef.toLocaleLowerCase('en-US'),
    };
  }
}
