import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
  AuthService,
} from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  type BasicPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import {
  decideRfcTransition,
  parseRfcId,
  resolveRfcApprovingSide,
  resolveRfcOrigin,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcCreatePermission,
  rfcExecutePermission,
  rfcReadPermission,
  validateOperationParameters,
  type ChangeTypeRisk,
  type Rfc,
  type RfcAction,
  type RfcActor,
  type RfcAuditEvent,
} from '@cloud-ops/plugin-ops-common';
import type {
  ApprovedChangeType,
  ChangeTypeService,
} from '../ChangeTypes/ChangeTypeService';
import {
  validateAsScaffolder,
  validateParameters,
} from '../ChangeTypes/parameterSchema';
import type { OpsNotifier } from '../Notifications';
import { notificationsForTransition } from './rfcNotifications';
import type {
  RfcChanges,
  RfcEventInput,
  RfcListQuery,
  RfcStore,
} from '../../database/RfcStore';

export type CreateRfcInput = {
  changeTypeId: string;
  changeTypeVersion?: string;
  title: string;
  description: string;
  targetEntityRef: string;
  parameters: JsonObject;
  implementationPlan: string;
  testPlan: string;
  peerReviewer?: string;
  rollbackPlan: string;
  risk?: ChangeTypeRisk;
  requestedStartTime?: string;
  requestedEndTime?: string;
  submit?: boolean;
};

export type UpdateRfcInput = {
  version: number;
  title?: string;
  description?: string;
  parameters?: JsonObject;
  implementationPlan?: string;
  testPlan?: string;
  /** null clears it */
  peerReviewer?: string | null;
  rollbackPlan?: string;
  risk?: ChangeTypeRisk;
  requestedStartTime?: string | null;
  requestedEndTime?: string | null;
};

export type RfcActionInput =
  | { action: 'submit'; version: number }
  | { action: 'approve'; version: number; comment?: string }
  | { action: 'reject'; version: number; comment: string }
  | { action: 'cancel'; version: number; reason?: string }
  | { action: 'start'; version: number }
  | {
      action: 'complete';
      version: number;
      outcome: 'Success' | 'Failure';
      outcomeNotes?: string;
    }
  | { action: 'retry'; version: number; reason?: string };

const SYSTEM = 'system';
const TARGET_KINDS = ['component', 'resource'];

/** The permission each action needs. */
const ACTION_PERMISSIONS: Record<
  RfcAction,
  BasicPermission | ResourcePermission<'ops-rfc'>
> = {
  edit: rfcCreatePermission,
  submit: rfcCreatePermission,
  approve: rfcApprovePermission,
  reject: rfcApprovePermission,
  cancel: rfcCancelPermission,
  start: rfcExecutePermission,
  succeed: rfcExecutePermission,
  fail: rfcExecutePermission,
  retry: rfcExecutePermission,
  expire: rfcExecutePermission,
};

/**
 * The RFC lifecycle: derives what the server owns (owner, origin, requester,
 * approving side), checks permissions and the state machine, and leaves the
 * atomic write to the store.
 */
export class RfcService {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: RfcStore;
      changeTypes: ChangeTypeService;
      catalog: CatalogService;
      userInfo: UserInfoService;
      permissions: PermissionsService;
      auth: AuthService;
      logger: LoggerService;
      centralItGroup: string;
      /** Tells approvers and requesters; optional so the lifecycle works without it. */
      notifier?: OpsNotifier;
      /**
       * Asks the executor to look now, for automated RFCs that are approved:
       * "as soon as approved" should not wait for the next scheduled run.
       */
      wakeExecutor?: () => void;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Sends what a committed change calls for; the notifier never throws. */
  private async told(before: Rfc | undefined, after: Rfc, actor: string) {
    if (
      after.status === 'Scheduled' &&
      before?.status !== 'Scheduled' &&
      after.automation === 'automated'
    ) {
      this.options.wakeExecutor?.();
    }
    const notifier = this.options.notifier;
    if (notifier) {
      for (const note of notificationsForTransition(before, after, actor)) {
        await notifier.notify(note);
      }
    }
    return after;
  }

  async create(
    input: CreateRfcInput,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    await this.authorizeBasic(rfcCreatePermission, credentials);
    const actor = await this.userActor(credentials, 'create RFCs');
    const { centralItGroup } = this.options;
    const problems: string[] = [];

    const changeType = await this.options.changeTypes.get(
      input.changeTypeId,
      input.changeTypeVersion,
      credentials,
    );
    if (!changeType) {
      problems.push(
        input.changeTypeVersion
          ? `changeTypeVersion: version ${input.changeTypeVersion} of change type "${input.changeTypeId}" is not in the approved catalog`
          : `changeTypeId: "${input.changeTypeId}" is not in the approved change-type catalog`,
      );
    }

    const target = await this.readTarget(input.targetEntityRef, credentials);
    if ('problem' in target) problems.push(target.problem);

    if (changeType) {
      problems.push(...this.checkParameters(changeType, input.parameters));
    }
    problems.push(
      ...this.checkPeople(input.peerReviewer, actor.userEntityRef),
      ...this.checkTimes(input.requestedStartTime, input.requestedEndTime),
    );
    if (problems.length > 0 || !changeType || 'problem' in target) {
      throw new InputError(`Invalid RFC: ${problems.join('; ')}`);
    }

    const origin = resolveRfcOrigin(actor.ownershipEntityRefs, centralItGroup);
    const approving = resolveRfcApprovingSide({
      rule: changeType.approval,
      origin,
      submitterOwnershipRefs: actor.ownershipEntityRefs,
      ownerGroup: target.ownerGroup,
      centralItGroup,
    });
    const requestedStartTime = normalizeTime(input.requestedStartTime);
    const rfc = {
      changeTypeId: changeType.id,
      changeTypeVersion: changeType.version,
      title: input.title,
      description: input.description,
      targetEntityRef: target.ref,
      parameters: input.parameters,
      ...(changeType.operation ? { operation: changeType.operation } : {}),
      automation: changeType.automation,
      // Pinned: a later version of the change type does not change this RFC.
      binding: {
        templateRef: changeType.templateRef,
        ...(changeType.serviceCatalog
          ? {
              serviceCatalog: {
                productId: changeType.serviceCatalog.productId,
                provisioningArtifactId:
                  changeType.serviceCatalog.provisioningArtifactId,
              },
            }
          : {}),
      },
      ownerGroup: target.ownerGroup,
      origin,
      requester: actor.userEntityRef,
      approvalRule: changeType.approval,
      ...(approving.group ? { approverGroup: approving.group } : {}),
      implementationPlan: input.implementationPlan,
      testPlan: input.testPlan,
      ...(input.peerReviewer
        ? { peerReviewer: normalizeUserRef(input.peerReviewer) }
        : {}),
      rollbackPlan: input.rollbackPlan,
      risk: input.risk ?? changeType.risk,
      ...(requestedStartTime ? { requestedStartTime } : {}),
      ...(input.requestedEndTime
        ? { requestedEndTime: normalizeTime(input.requestedEndTime) }
        : {}),
    };

    const events: RfcEventInput[] = [
      { actor: actor.userEntityRef, action: 'create', toStatus: 'Editing' },
    ];
    let status: Rfc['status'] = 'Editing';
    if (input.submit) {
      this.checkSubmittable(rfc);
      const decision = decideRfcTransition('submit', {
        rfc: { ...rfc, status: 'Editing' },
        actor,
        centralItGroup,
        now: this.now(),
      });
      if (!decision.allowed) {
        throw new NotAllowedError(decision.reason);
      }
      status = decision.to;
      events.push({
        actor: actor.userEntityRef,
        action: 'submit',
        fromStatus: 'Editing',
        toStatus: status,
        ...(status === 'Scheduled'
          ? { comment: preApprovedComment(changeType.approval) }
          : {}),
      });
    }
    const created = await this.options.store.create({ ...rfc, status }, events);
    return this.told(undefined, created, actor.userEntityRef);
  }

  async update(
    id: string,
    input: UpdateRfcInput,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    const rfc = await this.load(id, credentials);
    await this.authorizeBasic(rfcCreatePermission, credentials);
    const actor = await this.userActor(credentials, 'edit RFCs');
    this.checkVersion(rfc, input.version);
    this.decide('edit', rfc, actor);

    const problems: string[] = [];
    if (input.parameters) {
      const changeType = await this.options.changeTypes.get(
        rfc.changeTypeId,
        rfc.changeTypeVersion,
        credentials,
      );
      if (!changeType) {
        problems.push(
          `parameters: change type ${rfc.changeTypeId} ${rfc.changeTypeVersion} is no longer in the approved catalog; cancel this RFC and create a new one`,
        );
      } else {
        problems.push(...this.checkParameters(changeType, input.parameters));
      }
    }
    const start =
      input.requestedStartTime === undefined
        ? rfc.requestedStartTime
        : input.requestedStartTime ?? undefined;
    const end =
      input.requestedEndTime === undefined
        ? rfc.requestedEndTime
        : input.requestedEndTime ?? undefined;
    problems.push(
      ...this.checkPeople(input.peerReviewer ?? undefined, rfc.requester),
      ...this.checkTimes(start, end),
    );
    if (problems.length > 0) {
      throw new InputError(`Invalid RFC: ${problems.join('; ')}`);
    }

    const changes: RfcChanges = {};
    const copy = <K extends keyof RfcChanges & keyof UpdateRfcInput>(
      key: K,
    ) => {
      if (input[key] !== undefined) {
        (changes as Record<string, unknown>)[key] = input[key] ?? undefined;
      }
    };
    copy('title');
    copy('description');
    copy('parameters');
    copy('implementationPlan');
    copy('testPlan');
    copy('rollbackPlan');
    copy('risk');
    if (input.peerReviewer !== undefined) {
      changes.peerReviewer = input.peerReviewer
        ? normalizeUserRef(input.peerReviewer)
        : undefined;
    }
    if (input.requestedStartTime !== undefined) {
      changes.requestedStartTime = normalizeTime(input.requestedStartTime);
    }
    if (input.requestedEndTime !== undefined) {
      changes.requestedEndTime = normalizeTime(input.requestedEndTime);
    }
    return this.options.store.transition({
      id: rfc.id,
      expectedStatus: rfc.status,
      expectedVersion: rfc.version,
      toStatus: 'Editing',
      changes,
      event: {
        actor: actor.userEntityRef,
        action: 'edit',
        comment: `changed ${Object.keys(changes).join(', ') || 'nothing'}`,
      },
    });
  }

  async act(
    id: string,
    input: RfcActionInput,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    const rfc = await this.load(id, credentials);
    let action: RfcAction;
    if (input.action === 'complete') {
      action = input.outcome === 'Success' ? 'succeed' : 'fail';
    } else {
      action = input.action;
    }
    await this.authorizeResource(ACTION_PERMISSIONS[action], rfc, credentials);
    // People act through the API; the executor carries out automated
    // changes in process, so no token, a service's included, may start or
    // complete an RFC.
    const actor = await this.userActor(credentials, `${action} RFCs`);
    this.checkVersion(rfc, input.version);

    const changes: RfcChanges = {};
    let comment: string | undefined;
    let facts = rfc;
    switch (input.action) {
      case 'submit': {
        // Group membership may have changed since the RFC was written, so
        // the approving side is settled at submission.
        const userActor = actor as Extract<RfcActor, { kind: 'user' }>;
        const approving = resolveRfcApprovingSide({
          rule: rfc.approvalRule,
          origin: rfc.origin,
          submitterOwnershipRefs: userActor.ownershipEntityRefs,
          ownerGroup: rfc.ownerGroup,
          centralItGroup: this.options.centralItGroup,
        });
        changes.approverGroup = approving.group;
        facts = { ...rfc, approverGroup: approving.group };
        this.checkSubmittable(facts);
        if (!approving.group) {
          comment = preApprovedComment(rfc.approvalRule);
        }
        break;
      }
      case 'approve':
        comment = input.comment;
        break;
      case 'reject':
        comment = input.comment;
        changes.statusReason = input.comment;
        break;
      case 'cancel':
        comment = input.reason;
        changes.statusReason = input.reason ?? 'canceled';
        break;
      case 'retry':
        comment = input.reason
          ? `retry as attempt ${rfc.attempt + 1}: ${input.reason}`
          : `retry as attempt ${rfc.attempt + 1}`;
        changes.statusReason = undefined;
        break;
      case 'complete':
        if (input.outcomeNotes !== undefined) {
          changes.outcomeNotes = input.outcomeNotes;
        }
        comment = input.outcomeNotes;
        break;
      default:
        break;
    }
    const to = this.decide(action, facts, actor);
    const actorRef = actor.kind === 'user' ? actor.userEntityRef : SYSTEM;
    const after = await this.options.store.transition({
      id: rfc.id,
      expectedStatus: rfc.status,
      expectedVersion: rfc.version,
      toStatus: to,
      changes,
      event: {
        actor: actorRef,
        action,
        ...(comment ? { comment } : {}),
      },
    });
    return this.told(rfc, after, actorRef);
  }

  async get(id: string, credentials: BackstageCredentials): Promise<Rfc> {
    return this.load(id, credentials);
  }

  async events(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<RfcAuditEvent[]> {
    await this.load(id, credentials);
    return this.options.store.listEvents(id);
  }

  async list(
    query: RfcListQuery,
    credentials: BackstageCredentials,
  ): Promise<{ items: Rfc[]; nextCursor?: string }> {
    await this.authorizeBasic(rfcReadPermission, credentials);
    // Refs are stored in full form; accept the short forms people type.
    const ref = (field: string, value: string | undefined, kind?: string) => {
      if (!value) return undefined;
      try {
        return stringifyEntityRef(
          parseEntityRef(value, {
            defaultKind: kind,
            defaultNamespace: 'default',
          }),
        );
      } catch {
        throw new InputError(
          `Invalid query: ${field}: "${value}" is not an entity ref`,
        );
      }
    };
    return this.options.store.list({
      ...query,
      owner: ref('owner', query.owner, 'group'),
      requester: ref('requester', query.requester, 'user'),
      targetEntityRef: ref('targetEntityRef', query.targetEntityRef),
      from: normalizeTime(query.from),
      to: normalizeTime(query.to),
    });
  }

  /**
   * Rejects RFCs still waiting for approval when their requested start time
   * has come. Runs as scheduled work with the system as actor.
   */
  async rejectUnapprovedAtStart(): Promise<number> {
    const now = this.now();
    let rejected = 0;
    for (;;) {
      const due = await this.options.store.listUnapprovedAtStart(now, 100);
      let progressed = false;
      for (const rfc of due) {
        const decision = decideRfcTransition('expire', {
          rfc,
          actor: { kind: 'system' },
          centralItGroup: this.options.centralItGroup,
          now,
        });
        if (!decision.allowed) continue;
        const reason = `not approved by its requested start time ${rfc.requestedStartTime}`;
        try {
          const after = await this.options.store.transition({
            id: rfc.id,
            expectedStatus: rfc.status,
            expectedVersion: rfc.version,
            toStatus: decision.to,
            changes: { statusReason: reason },
            event: { actor: SYSTEM, action: 'expire', comment: reason },
          });
          await this.told(rfc, after, SYSTEM);
          rejected += 1;
          progressed = true;
        } catch (error) {
          // Someone approved or canceled it meanwhile; their change stands.
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      if (due.length < 100 || !progressed) {
        return rejected;
      }
    }
  }

  private async load(id: string, credentials: BackstageCredentials) {
    await this.authorizeBasic(rfcReadPermission, credentials);
    if (parseRfcId(id) === undefined) {
      throw new InputError(`id: "${id}" is not an RFC id such as RFC-000123`);
    }
    const rfc = await this.options.store.get(id);
    if (!rfc) {
      throw new NotFoundError(`RFC ${id} does not exist`);
    }
    return rfc;
  }

  private checkVersion(rfc: Rfc, version: number) {
    if (rfc.version !== version) {
      throw new ConflictError(
        `${rfc.id} is at version ${rfc.version}, not ${version}; reload it and try again`,
      );
    }
  }

  private decide(action: RfcAction, rfc: Rfc, actor: RfcActor) {
    const decision = decideRfcTransition(action, {
      rfc,
      actor,
      centralItGroup: this.options.centralItGroup,
      now: this.now(),
    });
    if (decision.allowed) {
      return decision.to;
    }
    if (decision.kind === 'actor') {
      throw new NotAllowedError(decision.reason);
    }
    throw new ConflictError(decision.reason);
  }

  private checkSubmittable(rfc: {
    approverGroup?: string;
    requestedStartTime?: string;
  }) {
    if (
      rfc.approverGroup &&
      rfc.requestedStartTime &&
      Date.parse(rfc.requestedStartTime) <= this.now().getTime()
    ) {
      throw new InputError(
        `requestedStartTime: ${rfc.requestedStartTime} has passed; an RFC that needs approval must start in the future`,
      );
    }
  }

  private checkPeople(peerReviewer: string | undefined, requester: string) {
    if (!peerReviewer) return [];
    let ref: string;
    try {
      ref = normalizeUserRef(peerReviewer);
    } catch {
      return [
        `peerReviewer: "${peerReviewer}" is not a user entity ref such as user:default/priya`,
      ];
    }
    if (!ref.startsWith('user:')) {
      return [`peerReviewer: must be a user, not ${ref}`];
    }
    if (ref === requester) {
      return ['peerReviewer: must be someone other than the requester'];
    }
    return [];
  }

  /**
   * The change type's form, checked our way (each problem in the product's
   * words) and then the scaffolder's way, so that an accepted RFC's stored
   * parameters always start its execution run; plus what its operation needs.
   */
  private checkParameters(
    changeType: ApprovedChangeType,
    parameters: JsonObject,
  ): string[] {
    const ours = validateParameters(changeType.parameterSchema, parameters);
    return [
      ...ours,
      ...(ours.length
        ? []
        : validateAsScaffolder(changeType.formSteps, parameters)),
      ...this.checkOperation(changeType.operation, parameters),
    ];
  }

  /** What a patch or continuity operation needs of its parameters. */
  private checkOperation(
    operation: Rfc['operation'],
    parameters: JsonObject,
  ): string[] {
    return operation
      ? validateOperationParameters(operation, parameters, this.now())
      : [];
  }

  private checkTimes(start?: string, end?: string) {
    if (start && end && Date.parse(end) <= Date.parse(start)) {
      return ['requestedEndTime: must be after requestedStartTime'];
    }
    return [];
  }

  private async readTarget(
    refInput: string,
    credentials: BackstageCredentials,
  ): Promise<{ ref: string; ownerGroup: string } | { problem: string }> {
    let ref: string;
    try {
      ref = stringifyEntityRef(parseEntityRef(refInput));
    } catch {
      return {
        problem: `targetEntityRef: "${refInput}" is not an entity ref such as component:default/payments-api`,
      };
    }
    const kind = ref.split(':')[0];
    if (!TARGET_KINDS.includes(kind)) {
      return {
        problem: `targetEntityRef: must be a component or a resource (stack), not a ${kind}`,
      };
    }
    const entity: Entity | undefined =
      await this.options.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      return { problem: `targetEntityRef: ${ref} is not in the catalog` };
    }
    const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
    if (typeof owner !== 'string' || !owner) {
      return {
        problem: `targetEntityRef: ${ref} has no spec.owner in the catalog`,
      };
    }
    return {
      ref,
      ownerGroup: stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    };
  }

  private async userActor(
    credentials: BackstageCredentials,
    what: string,
  ): Promise<Extract<RfcActor, { kind: 'user' }>> {
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(`only signed-in users may ${what}`);
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    return {
      kind: 'user',
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
    };
  }

  private async authorizeBasic(
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

  private async authorizeResource(
    permission: BasicPermission | ResourcePermission<'ops-rfc'>,
    rfc: Rfc,
    credentials: BackstageCredentials,
  ) {
    if (permission.type === 'basic') {
      await this.authorizeBasic(permission, credentials);
      return;
    }
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: rfc.id }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name} on ${rfc.id}`);
    }
  }
}

function preApprovedComment(rule: string) {
  return rule === 'none'
    ? 'pre-approved change type'
    : 'approved on submission: the submitter belongs to the approving side';
}

function normalizeTime(value: string | null | undefined): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

function normalizeUserRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'user', defaultNamespace: 'default' }),
  );
}
