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
  type PolicyDecision,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import {
  classifyChange,
  decideRfcTransition,
  emergencyReviewDueAt,
  EMERGENCY_INCIDENT_PRIORITIES,
  isChangeTypeAllowedFor,
  rfcWindow,
  type FreezeOccurrence,
  type FreezeOverride,
  type FreezeTarget,
  type Incident,
  type PostImplementationReview,
  parseRfcId,
  resolveRfcApprovingSide,
  resolveRfcOrigin,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcCreatePermission,
  rfcExecutePermission,
  rfcReadPermission,
  rfcRetryPermission,
  rfcReviewPermission,
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
import {
  normalizeGroupRef,
  SCAFFOLDER_SUBJECT,
  Callers,
  type Caller,
} from '../Callers/Callers';
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
  /** An ISO time, or `now` for an emergency that starts once approved. */
  requestedStartTime?: string;
  requestedEndTime?: string;
  /** Makes the RFC an emergency change, answering an open P1 or P2 incident. */
  emergency?: { incidentId: string; freezeOverrideReason?: string };
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
  | { action: 'submit'; version: number; freezeOverrideReason?: string }
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
  | { action: 'retry'; version: number; reason?: string }
  | {
      action: 'review';
      version: number;
      whatHappened: string;
      rootCause: string;
      followUp: string;
    };

/** What the RFC service asks of the change schedule. */
export interface RfcScheduleChecks {
  /** The freeze occurrences that hold a change of `rfc` on `target` in the window. */
  holding(
    target: FreezeTarget,
    window: { start: Date; end: Date },
    rfc: Pick<Rfc, 'origin' | 'criticalSecurityUpdate'>,
  ): Promise<FreezeOccurrence[]>;
  /** What freezes are matched against for the RFC's target. */
  targetOf(
    rfc: Pick<Rfc, 'targetEntityRef' | 'ownerGroup'>,
    credentials?: BackstageCredentials,
  ): Promise<FreezeTarget>;
}

/** The incidents an emergency may answer. */
export interface EmergencyIncidents {
  getIncident(id: string): Promise<Incident | undefined>;
}

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
  retry: rfcRetryPermission,
  expire: rfcExecutePermission,
  hold: rfcExecutePermission,
  release: rfcExecutePermission,
  review: rfcReviewPermission,
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
      /**
       * Applies a conditional decision on an RFC here, with the plugin's own
       * permission rules, instead of the permission backend calling back to
       * apply it. Without it, decisions on an RFC are asked for by its id.
       */
      applyConditions?: (decision: PolicyDecision, rfc: Rfc) => boolean;
      auth: AuthService;
      logger: LoggerService;
      centralItGroup: string;
      /** Who is calling, and what they may read; built from userInfo when absent. */
      callers?: Callers;
      /** Tells approvers and requesters; optional so the lifecycle works without it. */
      notifier?: OpsNotifier;
      /**
       * Asks the executor to look now, for automated RFCs that are approved:
       * "as soon as approved" should not wait for the next scheduled run.
       */
      wakeExecutor?: () => void;
      /** Freezes: without it, nothing is held. */
      schedule?: RfcScheduleChecks;
      /** Incidents an emergency answers: without it, no emergency is accepted. */
      incidents?: EmergencyIncidents;
      /** Days an executed emergency has for its review (default 5). */
      emergencyReviewDays?: number;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.callers =
      options.callers ??
      new Callers({
        auth: options.auth,
        userInfo: options.userInfo,
        centralItGroup: options.centralItGroup,
      });
  }

  private readonly callers: Callers;

  /** Sends what a committed change calls for; the notifier never throws. */
  private told(before: Rfc | undefined, after: Rfc, actor: string) {
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
        // Not awaited: the change is committed, and a slow notifications
        // backend must not hold up the answer. The notifier logs what it
        // could not send.
        void notifier.notify(note);
      }
    }
    return after;
  }

  async create(
    input: CreateRfcInput,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    await this.authorizeBasic(rfcCreatePermission, credentials);
    // The scaffolder records RFCs for the person whose task it runs.
    const caller = await this.callerFor(credentials, 'create RFCs', {
      scaffolder: true,
    });
    const actor = toActor(caller);
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
    } else {
      this.checkAllowed(changeType, caller);
    }

    const target = await this.readTarget(input.targetEntityRef, credentials);
    if ('problem' in target) {
      problems.push(target.problem);
    } else {
      this.checkOwnership(caller, target);
    }

    if (changeType && !('problem' in target)) {
      problems.push(
        ...this.checkParameters(changeType, input.parameters),
        ...(await this.checkAgreement(
          input.parameters,
          target,
          caller,
          credentials,
        )),
      );
    }
    const emergency =
      Boolean(input.emergency) || Boolean(changeType?.emergency);
    if (emergency && !('problem' in target)) {
      problems.push(
        ...(await this.checkEmergency(
          input.emergency,
          target.ownerGroup,
          caller,
        )),
      );
    }
    let startInput = input.requestedStartTime;
    if (startInput === 'now') {
      if (emergency) {
        startInput = this.now().toISOString();
      } else {
        problems.push(
          'requestedStartTime: "now" is for emergency changes; give a time, or leave it out to start once approved',
        );
        startInput = undefined;
      }
    }
    problems.push(
      ...(await this.checkPeople(
        input.peerReviewer,
        actor.userEntityRef,
        credentials,
      )),
      ...this.checkTimes(startInput, input.requestedEndTime),
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
      emergency,
    });
    const requestedStartTime = normalizeTime(startInput);
    const changeClass = classifyChange({
      approval: changeType.approval,
      changeTypeEmergency: changeType.emergency,
      emergency,
    });
    const overrideReason = input.emergency?.freezeOverrideReason?.trim();
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
      expectedDuration: changeType.expectedDuration,
      changeClass,
      ...(emergency && input.emergency
        ? { emergencyIncidentId: input.emergency.incidentId.trim() }
        : {}),
      // The reason is kept until submission names the freezes it overrides.
      ...(emergency && overrideReason
        ? {
            freezeOverride: {
              reason: overrideReason,
              freezeIds: [] as string[],
              by: actor.userEntityRef,
              at: this.now().toISOString(),
            },
          }
        : {}),
      ...(changeType.criticalSecurityUpdate
        ? { criticalSecurityUpdate: true }
        : {}),
      ...(changeType.needsMaintenanceWindow
        ? { needsMaintenanceWindow: true }
        : {}),
    };

    const events: RfcEventInput[] = [
      { actor: actor.userEntityRef, action: 'create', toStatus: 'Editing' },
    ];
    let status: Rfc['status'] = 'Editing';
    let toStore: Omit<typeof rfc, 'freezeOverride'> & {
      freezeOverride?: FreezeOverride;
    } = rfc;
    if (input.submit) {
      this.checkSubmittable(rfc);
      const override = await this.checkFreezes(
        rfc,
        actor.userEntityRef,
        overrideReason,
        credentials,
      );
      // Recorded only when submission found freezes to override.
      const { freezeOverride: _reason, ...rest } = rfc;
      toStore = override ? { ...rest, freezeOverride: override } : rest;
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
        ...(override
          ? {
              comment: `overrides ${override.freezeIds.join(', ')}: ${
                override.reason
              }`,
            }
          : {}),
        ...(!override && status === 'Scheduled'
          ? { comment: preApprovedComment(changeType.approval) }
          : {}),
      });
    }
    const created = await this.options.store.create(
      { ...toStore, status },
      events,
    );
    return this.told(undefined, created, actor.userEntityRef);
  }

  async update(
    id: string,
    input: UpdateRfcInput,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    const rfc = await this.load(id, credentials);
    await this.authorizeBasic(rfcCreatePermission, credentials);
    const caller = await this.callerFor(credentials, 'edit RFCs');
    const actor = toActor(caller);
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
        const target = await this.readTarget(rfc.targetEntityRef, credentials);
        if ('problem' in target) {
          problems.push(target.problem);
        } else {
          problems.push(
            ...(await this.checkAgreement(
              input.parameters,
              target,
              caller,
              credentials,
            )),
          );
        }
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
      ...(await this.checkPeople(
        input.peerReviewer ?? undefined,
        rfc.requester,
        credentials,
      )),
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
    // complete an RFC. The scaffolder may only submit for its task's person.
    const caller = await this.callerFor(credentials, `${action} RFCs`, {
      scaffolder: action === 'submit',
    });
    const actor = toActor(caller);
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
          emergency: rfc.changeClass === 'emergency',
        });
        changes.approverGroup = approving.group;
        facts = { ...rfc, approverGroup: approving.group };
        this.checkSubmittable(facts);
        const override = await this.checkFreezes(
          rfc,
          actor.userEntityRef,
          input.freezeOverrideReason?.trim() || rfc.freezeOverride?.reason,
          credentials,
        );
        changes.freezeOverride = override;
        if (override) {
          comment = `overrides ${override.freezeIds.join(', ')}: ${
            override.reason
          }`;
        } else if (!approving.group) {
          comment = preApprovedComment(rfc.approvalRule);
        }
        break;
      }
      case 'review':
        changes.review = this.readReview(input, rfc, actor.userEntityRef);
        comment = changes.review.onTime
          ? 'post-implementation review written'
          : `post-implementation review written after its due date ${rfc.reviewDueAt}`;
        break;
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
        if (rfc.changeClass === 'emergency') {
          changes.reviewDueAt = emergencyReviewDueAt(
            this.now(),
            this.options.emergencyReviewDays,
          );
        }
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
    const caller = await this.callerFor(credentials, 'read RFCs', {
      scaffolder: true,
    });
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
      visibleTo: this.callers.visibility(caller),
      now: this.now(),
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
    const caller = await this.callerFor(credentials, 'read RFCs', {
      scaffolder: true,
    });
    if (parseRfcId(id) === undefined) {
      throw new InputError(`id: "${id}" is not an RFC id such as RFC-000123`);
    }
    const rfc = await this.options.store.get(id);
    // Another team's RFC is as absent as one that does not exist.
    if (!rfc || !this.callers.mayRead(caller, rfc)) {
      throw new NotFoundError(`RFC ${id} does not exist`);
    }
    return rfc;
  }

  /**
   * The signed-in person behind the call. A token another plugin obtained on
   * a user's behalf is refused, except the scaffolder's where `scaffolder`
   * says it may act for the person whose task it runs.
   */
  private async callerFor(
    credentials: BackstageCredentials,
    what: string,
    options: { scaffolder?: boolean } = {},
  ): Promise<Caller> {
    const caller = await this.callers.user(credentials, what);
    if (
      caller.actor &&
      !(options.scaffolder && caller.actor === SCAFFOLDER_SUBJECT)
    ) {
      throw new NotAllowedError(
        `${caller.actor} may not ${what} on behalf of ${
          caller.userEntityRef
        }; only the person may${
          options.scaffolder ? ', or the scaffolder for the task it runs' : ''
        }`,
      );
    }
    return caller;
  }

  /** Role-based change types: only their groups (and Central IT) may ask. */
  private checkAllowed(changeType: ApprovedChangeType, caller: Caller) {
    if (
      !caller.centralIt &&
      !isChangeTypeAllowedFor(changeType, caller.ownershipEntityRefs)
    ) {
      throw new NotAllowedError(
        `change type ${
          changeType.id
        } may be requested only by members of ${changeType.allowedGroups!.join(
          ', ',
        )}`,
      );
    }
  }

  /** Only the entity's owning team, or Central IT, asks to change it. */
  private checkOwnership(
    caller: Caller,
    target: { ref: string; ownerGroup: string },
  ) {
    if (
      !caller.centralIt &&
      !caller.refs.has(target.ownerGroup.toLocaleLowerCase('en-US'))
    ) {
      throw new NotAllowedError(
        `only members of ${target.ownerGroup}, which owns ${target.ref}, or of ${this.options.centralItGroup} may ask for changes to it`,
      );
    }
  }

  /**
   * The form's owner, component and stack must agree with the target: the
   * owner is the target's owner, the component is the target (or the
   * component the target stack belongs to), and a stack other than the
   * target is a Resource of that component owned by the same team.
   */
  private async checkAgreement(
    parameters: JsonObject,
    target: { ref: string; ownerGroup: string; entity: Entity },
    caller: Caller,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const problems: string[] = [];
    const targetKind = target.ref.split(':')[0];
    const owner = parameters.owner;
    if (typeof owner === 'string' && owner) {
      const group = normalizeGroupRef(owner);
      if (!group) {
        problems.push(
          `parameters.owner: "${owner}" is not a group ref such as group:default/payments`,
        );
      } else if (group !== target.ownerGroup.toLocaleLowerCase('en-US')) {
        problems.push(
          `parameters.owner: must be ${target.ownerGroup}, the owner of ${target.ref}`,
        );
      }
    }

    let component: { ref: string; entity?: Entity } | undefined =
      targetKind === 'component'
        ? { ref: lower(target.ref), entity: target.entity }
        : undefined;
    const componentParam = parameters.component;
    if (typeof componentParam === 'string' && componentParam) {
      const ref = normalizeRef(componentParam, 'component');
      if (!ref || !ref.startsWith('component:')) {
        problems.push(
          `parameters.component: "${componentParam}" is not a component ref such as component:default/payments-api`,
        );
      } else if (targetKind === 'component') {
        if (ref !== lower(target.ref)) {
          problems.push(
            `parameters.component: must be ${target.ref}, the RFC's target`,
          );
        }
      } else {
        const entity = await this.options.catalog.getEntityByRef(ref, {
          credentials,
        });
        component = { ref, entity };
        if (!entity || !isStackOf(target.entity, ref, entity)) {
          problems.push(
            `parameters.component: ${target.ref} is not a stack of ${ref}`,
          );
        }
      }
    }

    const stackParam = parameters.stack;
    if (typeof stackParam === 'string' && stackParam) {
      const ref = normalizeRef(stackParam, 'resource');
      if (!ref) {
        problems.push(
          `parameters.stack: "${stackParam}" is not an entity ref such as resource:default/orders-db`,
        );
      } else if (ref !== lower(target.ref)) {
        const stack = await this.options.catalog.getEntityByRef(ref, {
          credentials,
        });
        if (!stack) {
          problems.push(`parameters.stack: ${ref} is not in the catalog`);
        } else if (stack.kind.toLocaleLowerCase('en-US') !== 'resource') {
          problems.push(
            `parameters.stack: must be a Resource, not a ${stack.kind}`,
          );
        } else {
          const stackOwner = ownerOf(stack);
          if (
            !stackOwner ||
            stackOwner.toLocaleLowerCase('en-US') !==
              target.ownerGroup.toLocaleLowerCase('en-US')
          ) {
            throw new NotAllowedError(
              `parameters.stack: ${ref} belongs to ${
                stackOwner ?? 'nobody'
              }, not to ${target.ownerGroup}`,
            );
          }
          if (component && !isStackOf(stack, component.ref, component.entity)) {
            problems.push(
              `parameters.stack: ${ref} is not a stack of ${component.ref}`,
            );
          }
        }
      }
    }
    // New stacks are for one's own team, unless one is Central IT.
    if (
      typeof owner === 'string' &&
      !caller.centralIt &&
      normalizeGroupRef(owner) &&
      !caller.refs.has(normalizeGroupRef(owner)!)
    ) {
      problems.push(
        `parameters.owner: you may ask only for your own teams' stacks, and you are not in ${owner}`,
      );
    }
    return problems;
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
    changeClass?: Rfc['changeClass'];
  }) {
    if (
      rfc.changeClass !== 'emergency' &&
      rfc.approverGroup &&
      rfc.requestedStartTime &&
      Date.parse(rfc.requestedStartTime) <= this.now().getTime()
    ) {
      throw new InputError(
        `requestedStartTime: ${rfc.requestedStartTime} has passed; an RFC that needs approval must start in the future`,
      );
    }
  }

  /**
   * An emergency answers an open P1 or P2 incident of the target's team that
   * the caller may see.
   */
  private async checkEmergency(
    emergency: CreateRfcInput['emergency'],
    ownerGroup: string,
    caller: Caller,
  ): Promise<string[]> {
    const incidentId = emergency?.incidentId?.trim();
    if (!incidentId) {
      return [
        'emergency.incidentId: an emergency change names the open P1 or P2 incident it answers, e.g. INC-000012',
      ];
    }
    if (!/^INC-\d{6,}$/.test(incidentId)) {
      return [
        `emergency.incidentId: "${incidentId}" is not an incident id such as INC-000012`,
      ];
    }
    const incident = await this.options.incidents?.getIncident(incidentId);
    if (!incident || !this.callers.mayRead(caller, incident)) {
      return [`emergency.incidentId: ${incidentId} does not exist`];
    }
    const problems: string[] = [];
    if (incident.status !== 'Open') {
      problems.push(
        `emergency.incidentId: ${incidentId} is ${incident.status.toLocaleLowerCase(
          'en-US',
        )}; an emergency answers an open incident`,
      );
    }
    if (
      !(EMERGENCY_INCIDENT_PRIORITIES as readonly string[]).includes(
        incident.priority,
      )
    ) {
      problems.push(
        `emergency.incidentId: ${incidentId} is ${incident.priority}; an emergency answers a P1 or P2 incident`,
      );
    }
    if (
      incident.ownerGroup.toLocaleLowerCase('en-US') !==
      ownerGroup.toLocaleLowerCase('en-US')
    ) {
      problems.push(
        `emergency.incidentId: ${incidentId} concerns ${incident.entityRef} of ${incident.ownerGroup}, not an entity of ${ownerGroup}`,
      );
    }
    return problems;
  }

  /**
   * Refuses, with 409, a change whose window a freeze covers; an emergency
   * overrides the freeze when it says why, and the override is returned to
   * be recorded. Nothing is held without the schedule.
   */
  private async checkFreezes(
    rfc: Pick<
      Rfc,
      | 'targetEntityRef'
      | 'ownerGroup'
      | 'origin'
      | 'criticalSecurityUpdate'
      | 'requestedStartTime'
      | 'requestedEndTime'
      | 'expectedDuration'
      | 'changeClass'
    >,
    by: string,
    overrideReason: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<FreezeOverride | undefined> {
    const schedule = this.options.schedule;
    if (!schedule) return undefined;
    const now = this.now();
    const target = await schedule.targetOf(rfc, credentials);
    const window = rfcWindow(rfc, now);
    const holding = await schedule.holding(target, window, rfc);
    if (holding.length === 0) return undefined;
    const described = holding
      .map(
        o =>
          `the freeze "${o.name}" (${o.freezeId}) covers ${rfc.targetEntityRef} from ${o.start} until ${o.end}: ${o.reason}`,
      )
      .join('; ');
    if (rfc.changeClass !== 'emergency') {
      throw new ConflictError(
        `${described}. Ask for a time after the freeze ends`,
      );
    }
    if (!overrideReason) {
      throw new ConflictError(
        `${described}. An emergency may override it: say why in freezeOverrideReason`,
      );
    }
    return {
      reason: overrideReason,
      freezeIds: [...new Set(holding.map(o => o.freezeId))],
      by,
      at: now.toISOString(),
    };
  }

  /** The review as written, checked field by field. */
  private readReview(
    input: Extract<RfcActionInput, { action: 'review' }>,
    rfc: Rfc,
    by: string,
  ): PostImplementationReview {
    const problems: string[] = [];
    const text = (field: 'whatHappened' | 'rootCause' | 'followUp') => {
      const value = input[field];
      if (typeof value !== 'string' || !value.trim()) {
        problems.push(`${field}: is required`);
        return '';
      }
      if (value.length > 8000)
        problems.push(`${field}: at most 8000 characters`);
      return value.trim();
    };
    const whatHappened = text('whatHappened');
    const rootCause = text('rootCause');
    const followUp = text('followUp');
    if (
      rootCause &&
      !/^(PRB|INC)-\d{6,}$/.test(rootCause) &&
      !/^https?:\/\/\S+$/.test(rootCause)
    ) {
      problems.push(
        `rootCause: "${rootCause}" is not a problem or incident id (PRB-000012, INC-000034) or a link`,
      );
    }
    if (problems.length) {
      throw new InputError(`Invalid review: ${problems.join('; ')}`);
    }
    const now = this.now();
    return {
      whatHappened,
      rootCause,
      followUp,
      reviewedBy: by,
      reviewedAt: now.toISOString(),
      onTime: !rfc.reviewDueAt || now.getTime() <= Date.parse(rfc.reviewDueAt),
    };
  }

  /** The peer reviewer: a user of the catalog the caller can see, not the requester. */
  private async checkPeople(
    peerReviewer: string | undefined,
    requester: string,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
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
    const user = await this.options.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!user) {
      return [`peerReviewer: ${ref} is not a user in the catalog`];
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
  ): Promise<
    { ref: string; ownerGroup: string; entity: Entity } | { problem: string }
  > {
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
      entity,
      ownerGroup: stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
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
    const applyConditions = this.options.applyConditions;
    let allowed: boolean;
    if (applyConditions) {
      const [decision] = await this.options.permissions.authorizeConditional(
        [{ permission }],
        { credentials },
      );
      allowed =
        decision.result === AuthorizeResult.CONDITIONAL
          ? applyConditions(decision, rfc)
          : decision.result === AuthorizeResult.ALLOW;
    } else {
      const [decision] = await this.options.permissions.authorize(
        [{ permission, resourceRef: rfc.id }],
        { credentials },
      );
      allowed = decision.result === AuthorizeResult.ALLOW;
    }
    if (!allowed) {
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

function toActor(caller: Caller): Extract<RfcActor, { kind: 'user' }> {
  return {
    kind: 'user',
    userEntityRef: caller.userEntityRef,
    ownershipEntityRefs: caller.ownershipEntityRefs,
  };
}

function lower(ref: string) {
  return ref.toLocaleLowerCase('en-US');
}

/** Lower-cased full ref, or undefined when `value` is not an entity ref. */
function normalizeRef(value: string, defaultKind: string): string | undefined {
  try {
    return lower(
      stringifyEntityRef(
        parseEntityRef(value.trim(), {
          defaultKind,
          defaultNamespace: 'default',
        }),
      ),
    );
  } catch {
    return undefined;
  }
}

function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return normalizeGroupRef(owner);
}

/** Refs an entity's relation or spec field of that name points at, lower-cased. */
function related(
  entity: Entity,
  relation: string,
  specField: string,
  defaultKind: string,
) {
  const refs = new Set(
    (entity.relations ?? [])
      .filter(r => r.type === relation)
      .map(r => lower(r.targetRef)),
  );
  const fromSpec = (entity.spec as Record<string, unknown> | undefined)?.[
    specField
  ];
  for (const value of Array.isArray(fromSpec) ? fromSpec : []) {
    if (typeof value !== 'string') continue;
    const ref = normalizeRef(value, defaultKind);
    if (ref) refs.add(ref);
  }
  return refs;
}

/** The resource belongs to the component: it is a dependency of it. */
function isStackOf(
  stack: Entity,
  componentRef: string,
  component?: Entity,
): boolean {
  const stackRef = lower(stringifyEntityRef(stack));
  return (
    related(stack, 'dependencyOf', 'dependencyOf', 'component').has(
      componentRef,
    ) ||
    (component !== undefined &&
      related(component, 'dependsOn', 'dependsOn', 'resource').has(stackRef))
  );
}
