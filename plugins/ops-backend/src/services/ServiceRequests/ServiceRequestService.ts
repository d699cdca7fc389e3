import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  SERVICE_REQUEST_STATUSES,
  SERVICE_REQUEST_TOPICS,
  serviceRequestCreatePermission,
  serviceRequestReplyPermission,
  type ServiceRequest,
  type ServiceRequestMessage,
  type ServiceRequestStatus,
  type ServiceRequestTopic,
} from '@cloud-ops/plugin-ops-common';
import {
  parseServiceRequestId,
  type ServiceRequestStore,
} from '../../database/ServiceRequestStore';
import type { OpsNotifier } from '../Notifications';

export const SERVICE_REQUEST_LIMITS = {
  titleMin: 3,
  titleMax: 200,
  bodyMax: 10_000,
  reasonMax: 10_000,
  listDefault: 50,
  listMax: 200,
} as const;

export type CreateServiceRequestInput = {
  title: string;
  topic: ServiceRequestTopic;
  body: string;
  /** Group ref of the asking team; may be left out when the caller has one team. */
  team?: string;
  entityRef?: string;
};

export type ListServiceRequestsInput = {
  status?: ServiceRequestStatus;
  team?: string;
  limit?: number;
  offset?: number;
};

type Caller = {
  userEntityRef: string;
  /** Lower-cased ownership refs. */
  refs: Set<string>;
  centralIt: boolean;
};

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
 * Service requests: a team asks Central IT for information on its managed
 * environment, Central IT or the AWS service offerings, and the two sides
 * reply until one of them closes it.
 *
 * Teams see their own requests; Central IT sees all of them. Someone in both
 * acts as Central IT.
 */
export class ServiceRequestService {
  private readonly now: () => Date;
  private readonly centralItGroup: string;

  constructor(
    private readonly options: {
      store: ServiceRequestStore;
      userInfo: UserInfoService;
      permissions: PermissionsService;
      auth: AuthService;
      notifier: OpsNotifier;
      /** Group ref of Central IT, from `ops.centralIt.group`. */
      centralItGroup: string;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.centralItGroup =
      normalizeGroupRef(options.centralItGroup) ??
      options.centralItGroup.toLocaleLowerCase('en-US');
  }

  async create(
    input: CreateServiceRequestInput,
    credentials: BackstageCredentials,
  ): Promise<ServiceRequest> {
    await this.authorize(serviceRequestCreatePermission, credentials);
    const caller = await this.caller(credentials);
    const problems: string[] = [];

    const title = typeof input.title === 'string' ? input.title.trim() : '';
    if (
      title.length < SERVICE_REQUEST_LIMITS.titleMin ||
      title.length > SERVICE_REQUEST_LIMITS.titleMax
    ) {
      problems.push(
        `title: must be ${SERVICE_REQUEST_LIMITS.titleMin} to ${SERVICE_REQUEST_LIMITS.titleMax} characters`,
      );
    }
    if (!SERVICE_REQUEST_TOPICS.includes(input.topic)) {
      problems.push(
        `topic: must be one of ${SERVICE_REQUEST_TOPICS.join(', ')}`,
      );
    }
    const body = this.checkBody(input.body, 'body', problems);

    let entityRef: string | undefined;
    if (input.entityRef !== undefined) {
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(input.entityRef.trim(), {
            defaultNamespace: 'default',
          }),
        ).toLocaleLowerCase('en-US');
      } catch {
        problems.push(
          `entityRef: "${input.entityRef}" is not an entity ref such as component:default/payments-api`,
        );
      }
    }

    const teams = this.teamsOf(caller);
    let team: string | undefined;
    if (input.team !== undefined) {
      team = normalizeGroupRef(input.team);
      if (!team) {
        problems.push(
          `team: "${input.team}" is not a group ref such as group:default/payments`,
        );
      } else if (!teams.includes(team)) {
        problems.push(
          teams.length
            ? `team: you can only ask for a team you belong to: ${teams.join(
                ', ',
              )}`
            : 'team: you belong to no team other than Central IT, so you cannot open service requests',
        );
      }
    } else if (teams.length === 1) {
      team = teams[0];
    } else if (teams.length === 0) {
      problems.push(
        'team: you belong to no team other than Central IT, so you cannot open service requests',
      );
    } else {
      problems.push(
        `team: you belong to several teams; choose one of ${teams.join(', ')}`,
      );
    }

    if (problems.length > 0 || !team) {
      throw new InputError(`Invalid service request: ${problems.join('; ')}`);
    }

    const at = this.now().toISOString();
    const created = await this.options.store.create({
      title,
      topic: input.topic,
      team,
      requester: caller.userEntityRef,
      ...(entityRef ? { entityRef } : {}),
      message: { author: caller.userEntityRef, side: 'team', body, at },
    });
    await this.options.notifier.notify({
      recipients: [this.centralItGroup],
      exclude: [caller.userEntityRef],
      topic: 'service-request',
      title: `New service request ${created.id} from ${team}`,
      description: title,
      link: linkTo(created.id),
    });
    return created;
  }

  async list(
    input: ListServiceRequestsInput,
    credentials: BackstageCredentials,
  ): Promise<{ items: ServiceRequest[]; totalCount: number }> {
    const caller = await this.caller(credentials);
    const problems: string[] = [];
    if (input.status && !SERVICE_REQUEST_STATUSES.includes(input.status)) {
      problems.push(
        `status: must be one of ${SERVICE_REQUEST_STATUSES.join(', ')}`,
      );
    }
    const limit = input.limit ?? SERVICE_REQUEST_LIMITS.listDefault;
    if (
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > SERVICE_REQUEST_LIMITS.listMax
    ) {
      problems.push(
        `limit: must be a whole number from 1 to ${SERVICE_REQUEST_LIMITS.listMax}`,
      );
    }
    const offset = input.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      problems.push('offset: must be a whole number, 0 or more');
    }
    let team: string | undefined;
    if (input.team !== undefined) {
      team = normalizeGroupRef(input.team);
      if (!team) {
        problems.push(
          `team: "${input.team}" is not a group ref such as group:default/payments`,
        );
      }
    }
    if (problems.length > 0) {
      throw new InputError(`Invalid query: ${problems.join('; ')}`);
    }

    let teams: string[] | undefined;
    if (caller.centralIt) {
      teams = team ? [team] : undefined;
    } else {
      const own = this.teamsOf(caller);
      teams = team ? own.filter(t => t === team) : own;
    }
    return this.options.store.list({
      ...(input.status ? { status: input.status } : {}),
      ...(teams ? { teams } : {}),
      limit,
      offset,
    });
  }

  async get(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<ServiceRequest> {
    const caller = await this.caller(credentials);
    return this.load(id, caller);
  }

  async reply(
    id: string,
    input: { body: string; version: number },
    credentials: BackstageCredentials,
  ): Promise<ServiceRequest> {
    await this.authorize(serviceRequestReplyPermission, credentials);
    const caller = await this.caller(credentials);
    const request = await this.load(id, caller);
    const problems: string[] = [];
    const body = this.checkBody(input.body, 'body', problems);
    this.checkVersionInput(input.version, problems);
    if (problems.length > 0) {
      throw new InputError(`Invalid reply: ${problems.join('; ')}`);
    }
    this.checkOpen(request, input.version);

    const side = sideOf(caller);
    const at = this.now().toISOString();
    const updated = await this.options.store.update({
      id: request.id,
      expectedVersion: input.version,
      toStatus: side === 'central-it' ? 'AwaitingTeam' : 'AwaitingCentralIt',
      messages: [{ author: caller.userEntityRef, side, body, at }],
      at,
    });
    await this.options.notifier.notify({
      recipients: [side === 'central-it' ? request.team : this.centralItGroup],
      exclude: [caller.userEntityRef],
      topic: 'service-request',
      title:
        side === 'central-it'
          ? `Central IT replied to ${request.id}`
          : `${request.team} replied to ${request.id}`,
      description: request.title,
      link: linkTo(request.id),
    });
    return updated;
  }

  async close(
    id: string,
    input: { version: number; reason?: string },
    credentials: BackstageCredentials,
  ): Promise<ServiceRequest> {
    await this.authorize(serviceRequestReplyPermission, credentials);
    const caller = await this.caller(credentials);
    const request = await this.load(id, caller);
    const problems: string[] = [];
    const reason =
      input.reason === undefined
        ? undefined
        : this.checkBody(input.reason, 'reason', problems);
    this.checkVersionInput(input.version, problems);
    if (problems.length > 0) {
      throw new InputError(`Invalid close: ${problems.join('; ')}`);
    }
    this.checkOpen(request, input.version);

    const side = sideOf(caller);
    const at = this.now().toISOString();
    const updated = await this.options.store.update({
      id: request.id,
      expectedVersion: input.version,
      toStatus: 'Closed',
      messages: reason
        ? [{ author: caller.userEntityRef, side, body: reason, at }]
        : [],
      at,
    });
    if (side === 'central-it') {
      await this.options.notifier.notify({
        recipients: [request.team],
        exclude: [caller.userEntityRef],
        topic: 'service-request',
        title: `Central IT closed ${request.id}`,
        description: reason ? `${request.title}: ${reason}` : request.title,
        link: linkTo(request.id),
      });
    }
    return updated;
  }

  /** The caller's teams: groups they belong to other than Central IT. */
  private teamsOf(caller: Caller): string[] {
    return [...caller.refs]
      .filter(ref => ref.startsWith('group:') && ref !== this.centralItGroup)
      .sort();
  }

  private async load(id: string, caller: Caller): Promise<ServiceRequest> {
    if (parseServiceRequestId(id) === undefined) {
      throw new InputError(
        `id: "${id}" is not a service request id such as SR-000123`,
      );
    }
    const request = await this.options.store.get(id);
    // Outsiders learn nothing, not even that the request exists.
    if (!request || (!caller.centralIt && !caller.refs.has(request.team))) {
      throw new NotFoundError(`Service request ${id} does not exist`);
    }
    return request;
  }

  private checkOpen(request: ServiceRequest, version: number) {
    if (request.status === 'Closed') {
      throw new ConflictError(
        `${request.id} is closed; open a new service request instead`,
      );
    }
    if (request.version !== version) {
      throw new ConflictError(
        `${request.id} is at version ${request.version}, not ${version}; reload it and try again`,
      );
    }
  }

  private checkBody(value: unknown, field: string, problems: string[]) {
    const body = typeof value === 'string' ? value.trim() : '';
    if (body.length < 1 || body.length > SERVICE_REQUEST_LIMITS.bodyMax) {
      problems.push(
        `${field}: must be 1 to ${SERVICE_REQUEST_LIMITS.bodyMax} characters`,
      );
    }
    return body;
  }

  private checkVersionInput(version: unknown, problems: string[]) {
    if (!Number.isInteger(version) || (version as number) < 1) {
      problems.push(
        'version: must be the version of the request you read, a whole number from 1',
      );
    }
  }

  private async caller(credentials: BackstageCredentials): Promise<Caller> {
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'only signed-in users may use service requests',
      );
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    const refs = new Set(
      info.ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    return {
      userEntityRef: info.userEntityRef,
      refs,
      centralIt: refs.has(this.centralItGroup),
    };
  }

  private async authorize(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    }
  }
}

function sideOf(caller: Caller): ServiceRequestMessage['side'] {
  return caller.centralIt ? 'central-it' : 'team';
}

function linkTo(id: string) {
  return `/ops/service-requests/${id}`;
}
