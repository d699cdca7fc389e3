import type { Entity } from '@backstage/catalog-model';
import { OPS_ANNOTATION_PREFIX } from './annotations';
import { OPS_OPERATIONS, type OpsOperation } from './patching';

/**
 * Annotation keys that turn a Template entity into a change type.
 * A Template is a change type when it carries {@link CHANGE_TYPE_ANNOTATIONS.id}.
 *
 * @public
 */
export const CHANGE_TYPE_ANNOTATIONS = {
  id: `${OPS_ANNOTATION_PREFIX}/change-type-id`,
  version: `${OPS_ANNOTATION_PREFIX}/change-type-version`,
  /** `category/subcategory/item/operation`, e.g. `Deployment/Standard stacks/EC2 stack/Create` */
  classification: `${OPS_ANNOTATION_PREFIX}/classification`,
  automation: `${OPS_ANNOTATION_PREFIX}/automation`,
  approval: `${OPS_ANNOTATION_PREFIX}/approval`,
  /** ISO 8601 duration, e.g. `PT30M` */
  expectedDuration: `${OPS_ANNOTATION_PREFIX}/expected-duration`,
  risk: `${OPS_ANNOTATION_PREFIX}/risk`,
  productId: `${OPS_ANNOTATION_PREFIX}/servicecatalog-product-id`,
  artifactId: `${OPS_ANNOTATION_PREFIX}/servicecatalog-artifact-id`,
  account: `${OPS_ANNOTATION_PREFIX}/aws-account`,
  region: `${OPS_ANNOTATION_PREFIX}/aws-region`,
  /** `true`, or a sentence saying what replaces it */
  deprecated: `${OPS_ANNOTATION_PREFIX}/deprecated`,
  /** The patch or continuity setting the change type changes, one of {@link OPS_OPERATIONS}. */
  operation: `${OPS_ANNOTATION_PREFIX}/operation`,
  /**
   * Comma-separated group refs that may see and request the change type
   * (role-based change types); absent means every signed-in user.
   */
  allowedGroups: `${OPS_ANNOTATION_PREFIX}/allowed-groups`,
  /**
   * Set by the catalog on a Template that declares itself a change type but
   * is refused (invalid, not governed, or a duplicate), so the permission
   * policy can hide it from the Create page; never set it yourself.
   */
  refused: `${OPS_ANNOTATION_PREFIX}/change-type-refused`,
  /**
   * `true`: every RFC of this change type is an emergency change, which
   * must name an open P1 or P2 incident.
   */
  emergency: `${OPS_ANNOTATION_PREFIX}/emergency`,
  /**
   * `required`: an RFC of this change type should run inside the target
   * stack's maintenance window; approvers are warned when it does not.
   */
  maintenanceWindow: `${OPS_ANNOTATION_PREFIX}/maintenance-window`,
  /**
   * `true`: Central IT's RFCs of this change type are Critical Security
   * Updates, which a team's own freeze does not hold.
   */
  criticalSecurityUpdate: `${OPS_ANNOTATION_PREFIX}/critical-security-update`,
} as const;

/** @public */
export type ChangeTypeAutomation = 'automated' | 'manual';

/**
 * Who must approve an RFC of this change type.
 *
 * - `by-origin`: the other side approves: Central IT approves user RFCs, the
 *   owning team approves Central IT RFCs.
 * - `central-it`: Central IT approves, whoever asked.
 * - `owning-team`: the entity's owning team approves, whoever asked.
 * - `none`: pre-approved; approved when submitted.
 * - `none-if-submitter-approves`: like `by-origin`, but approved when submitted
 *   if the submitter belongs to the approving side.
 *
 * @public
 */
export type ChangeTypeApprovalRule =
  | 'by-origin'
  | 'central-it'
  | 'owning-team'
  | 'none'
  | 'none-if-submitter-approves';

/** @public */
export const CHANGE_TYPE_APPROVAL_RULES: readonly ChangeTypeApprovalRule[] = [
  'by-origin',
  'central-it',
  'owning-team',
  'none',
  'none-if-submitter-approves',
];

/** @public */
export type ChangeTypeRisk = 'low' | 'medium' | 'high';

/** @public */
export const CHANGE_TYPE_RISKS: readonly ChangeTypeRisk[] = [
  'low',
  'medium',
  'high',
];

/** @public */
export type ChangeTypeClassification = {
  category: string;
  subcategory: string;
  item: string;
  operation: string;
};

/**
 * A change type from the approved change-type catalog.
 *
 * @public
 */
export type ChangeType = {
  /** Ref of the Template entity that defines it, e.g. `template:default/ec2-linux-stack`. */
  templateRef: string;
  id: string;
  version: string;
  title: string;
  description?: string;
  classification: ChangeTypeClassification;
  automation: ChangeTypeAutomation;
  approval: ChangeTypeApprovalRule;
  /** ISO 8601 duration */
  expectedDuration: string;
  risk: ChangeTypeRisk;
  serviceCatalog?: {
    productId: string;
    provisioningArtifactId: string;
    account?: string;
    region?: string;
  };
  deprecated?: { message: string };
  /** The patch or continuity setting an RFC of this type changes, if any. */
  operation?: OpsOperation;
  /**
   * Full group refs that may see and request it; absent means every
   * signed-in user.
   */
  allowedGroups?: string[];
  /** Every RFC of it is an emergency change. */
  emergency?: boolean;
  /** It should run inside the target's maintenance window. */
  needsMaintenanceWindow?: boolean;
  /** Central IT's RFCs of it are Critical Security Updates. */
  criticalSecurityUpdate?: boolean;
};

/** @public */
export type ChangeTypeParseResult =
  | { ok: true; changeType: ChangeType }
  | { ok: false; errors: string[] };

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VERSION_PATTERN = /^\d+\.\d+(?:\.\d+)?$/;
const DURATION_PATTERN =
  /^P(?!$)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const PRODUCT_PATTERN = /^prod-[a-z0-9]{4,}$/;
const ARTIFACT_PATTERN = /^pa-[a-z0-9]{4,}$/;

/**
 * True when the entity is a Template that declares itself a change type.
 *
 * @public
 */
export function isChangeTypeTemplate(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'template' &&
    Boolean(entity.metadata.annotations?.[CHANGE_TYPE_ANNOTATIONS.id])
  );
}

/**
 * Reads and validates change-type metadata from a Template entity. Every
 * problem is reported, each naming the annotation to fix, so a platform team
 * sees all of them at once.
 *
 * @public
 */
export function parseChangeType(entity: Entity): ChangeTypeParseResult {
  const a = entity.metadata.annotations ?? {};
  const errors: string[] = [];
  const K = CHANGE_TYPE_ANNOTATIONS;

  const required = (key: string): string => {
    const value = a[key]?.trim();
    if (!value) {
      errors.push(`annotation ${key} is required`);
      return '';
    }
    return value;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const value = required(key);
    if (value && !allowed.includes(value as T)) {
      errors.push(
        `annotation ${key} must be one of ${allowed.join(
          ', ',
        )}; got "${value}"`,
      );
    }
    return value as T;
  };
  const matching = (key: string, pattern: RegExp, hint: string): string => {
    const value = required(key);
    if (value && !pattern.test(value)) {
      errors.push(`annotation ${key} must be ${hint}; got "${value}"`);
    }
    return value;
  };

  if (entity.kind.toLocaleLowerCase('en-US') !== 'template') {
    errors.push(`a change type must be a Template entity, not ${entity.kind}`);
  }
  const id = matching(K.id, ID_PATTERN, 'lowercase words joined by dashes');
  const version = matching(
    K.version,
    VERSION_PATTERN,
    'a version such as 1.0 or 1.2.0',
  );
  const classificationRaw = required(K.classification);
  const parts = classificationRaw.split('/').map(p => p.trim());
  if (classificationRaw && (parts.length !== 4 || parts.some(p => !p))) {
    errors.push(
      `annotation ${K.classification} must be category/subcategory/item/operation; got "${classificationRaw}"`,
    );
  }
  const automation = oneOf<ChangeTypeAutomation>(K.automation, [
    'automated',
    'manual',
  ]);
  const approval = oneOf(K.approval, CHANGE_TYPE_APPROVAL_RULES);
  const expectedDuration = matching(
    K.expectedDuration,
    DURATION_PATTERN,
    'an ISO 8601 duration such as PT30M or P1DT2H',
  );
  const risk = oneOf(K.risk, CHANGE_TYPE_RISKS);

  let serviceCatalog: ChangeType['serviceCatalog'];
  const productId = a[K.productId]?.trim();
  const artifactId = a[K.artifactId]?.trim();
  if (productId || artifactId) {
    if (!productId || !PRODUCT_PATTERN.test(productId)) {
      errors.push(
        `annotation ${K.productId} must be a Service Catalog product id such as prod-abcd1234 when ${K.artifactId} is set`,
      );
    }
    if (!artifactId || !ARTIFACT_PATTERN.test(artifactId)) {
      errors.push(
        `annotation ${K.artifactId} must be a provisioning artifact id such as pa-abcd1234 when ${K.productId} is set`,
      );
    }
    const account = a[K.account]?.trim();
    const region = a[K.region]?.trim();
    if (account && !ACCOUNT_PATTERN.test(account)) {
      errors.push(`annotation ${K.account} must be a 12-digit AWS account id`);
    }
    if (region && !REGION_PATTERN.test(region)) {
      errors.push(
        `annotation ${K.region} must be an AWS region such as eu-west-1`,
      );
    }
    serviceCatalog = {
      productId: productId ?? '',
      provisioningArtifactId: artifactId ?? '',
      ...(account ? { account } : {}),
      ...(region ? { region } : {}),
    };
  }

  const deprecatedRaw = a[K.deprecated]?.trim();
  const deprecated =
    deprecatedRaw && deprecatedRaw !== 'false'
      ? {
          message:
            deprecatedRaw === 'true'
              ? 'This change type is deprecated.'
              : deprecatedRaw,
        }
      : undefined;

  const operationRaw = a[K.operation]?.trim();
  if (
    operationRaw !== undefined &&
    !OPS_OPERATIONS.includes(operationRaw as OpsOperation)
  ) {
    errors.push(
      `annotation ${K.operation} must be one of ${OPS_OPERATIONS.join(
        ', ',
      )}; got "${operationRaw}"`,
    );
  }
  const operation = operationRaw as OpsOperation | undefined;

  const allowedGroups = readAllowedGroups(a[K.allowedGroups], errors);
  const flag = (key: string, value: string): boolean => {
    const raw = a[key]?.trim();
    if (raw === undefined) return false;
    if (raw !== value) {
      errors.push(
        `annotation ${key} must be "${value}" when set; got "${raw}"`,
      );
    }
    return raw === value;
  };
  const emergency = flag(K.emergency, 'true');
  const needsMaintenanceWindow = flag(K.maintenanceWindow, 'required');
  const criticalSecurityUpdate = flag(K.criticalSecurityUpdate, 'true');
  if (emergency && approval === 'none') {
    errors.push(
      `annotation ${K.emergency}: an emergency change needs one approval; its ${K.approval} cannot be none`,
    );
  }

  if (errors.length > 0) {
    return { ok: false, errors };
  }
  const namespace = entity.metadata.namespace ?? 'default';
  const changeType: ChangeType = {
    templateRef: `template:${namespace}/${entity.metadata.name}`,
    id,
    version,
    title: entity.metadata.title ?? entity.metadata.name,
    ...(entity.metadata.description
      ? { description: entity.metadata.description }
      : {}),
    classification: {
      category: parts[0],
      subcategory: parts[1],
      item: parts[2],
      operation: parts[3],
    },
    automation,
    approval,
    expectedDuration,
    risk,
    ...(serviceCatalog ? { serviceCatalog } : {}),
    ...(deprecated ? { deprecated } : {}),
    ...(operation ? { operation } : {}),
    ...(allowedGroups ? { allowedGroups } : {}),
    ...(emergency ? { emergency } : {}),
    ...(needsMaintenanceWindow ? { needsMaintenanceWindow } : {}),
    ...(criticalSecurityUpdate ? { criticalSecurityUpdate } : {}),
  };
  const stepProblems = validateChangeTypeSteps(entity, changeType);
  if (stepProblems.length > 0) {
    return { ok: false, errors: stepProblems };
  }
  return { ok: true, changeType };
}

const GROUP_REF =
  /^(?:group:)?(?:([a-z0-9][a-z0-9._-]*)\/)?([a-z0-9][a-z0-9._-]*)$/i;

/** Reads `cloud-ops.io/allowed-groups` into full group refs. */
function readAllowedGroups(
  raw: string | undefined,
  errors: string[],
): string[] | undefined {
  if (raw === undefined) return undefined;
  const refs: string[] = [];
  for (const part of raw.split(',').map(p => p.trim())) {
    const match = GROUP_REF.exec(part);
    if (!match) {
      errors.push(
        `annotation ${CHANGE_TYPE_ANNOTATIONS.allowedGroups} must list group refs such as group:default/payments, separated by commas; got "${part}"`,
      );
      continue;
    }
    const ref = `group:${(match[1] ?? 'default').toLocaleLowerCase(
      'en-US',
    )}/${match[2].toLocaleLowerCase('en-US')}`;
    if (!refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

/**
 * Whether someone with these ownership refs (user and groups) may see and
 * request the change type: every signed-in user when it names no allowed
 * groups, else members of one of them.
 *
 * @public
 */
export function isChangeTypeAllowedFor(
  changeType: Pick<ChangeType, 'allowedGroups'>,
  ownershipRefs: string[],
): boolean {
  if (!changeType.allowedGroups) return true;
  const mine = new Set(ownershipRefs.map(r => r.toLocaleLowerCase('en-US')));
  return changeType.allowedGroups.some(g => mine.has(g));
}

/** The intake step every change type's template starts with. @public */
export const INTAKE_ACTION = 'ops:rfc:create';
/** The bounded follow a person's run may end with. @public */
export const FOLLOW_ACTION = 'ops:rfc:follow';
/** The suite's Service Catalog provisioning action. @public */
export const PROVISION_ACTION = 'aws:servicecatalog:provision';

/**
 * The suite's action that carries out each settings operation.
 *
 * @public
 */
export const OPERATION_ACTIONS: Record<OpsOperation, string> = {
  'set-maintenance-window': 'aws:ssm:set-maintenance-window',
  'exclude-from-patching': 'aws:ssm:exclude-from-patching',
  'include-in-patching': 'aws:ssm:include-in-patching',
  'reject-update': 'aws:ssm:reject-patch',
  'apply-update': 'aws:ssm:apply-patch',
  'set-backup-schedule': 'aws:backup:set-schedule',
  'take-snapshot': 'aws:backup:take-snapshot',
  'restore-from-recovery-point': 'aws:backup:restore',
};

type TemplateStep = {
  id?: unknown;
  action?: unknown;
  if?: unknown;
  input?: unknown;
};

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Checks that a change type's template has the two runs the executor relies
 * on: it starts with the intake step (`ops:rfc:create`, which stores the
 * whole form as the RFC's parameters), and every later step runs in exactly
 * one of the runs: automation steps only in the execution run
 * (`if: ${{ steps.<intake>.output.execution }}`), `ops:rfc:follow` only in
 * the person's run (`if: ${{ not steps.<intake>.output.execution }}`).
 * Manual change types have no automation steps; automated ones have at least
 * one, including the provisioning or settings action their annotations call
 * for. Returns one message per problem, naming the step.
 *
 * @public
 */
export function validateChangeTypeSteps(
  entity: Entity,
  changeType: Pick<
    ChangeType,
    'id' | 'automation' | 'serviceCatalog' | 'operation'
  >,
): string[] {
  const steps = (entity.spec as { steps?: unknown } | undefined)?.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    return [`spec.steps: a change type starts with an ${INTAKE_ACTION} step`];
  }
  const problems: string[] = [];
  const [intake, ...rest] = steps as TemplateStep[];
  if (intake?.action !== INTAKE_ACTION) {
    return [
      `spec.steps[0]: the first step must be ${INTAKE_ACTION}, which records the RFC; got ${String(
        intake?.action,
      )}`,
    ];
  }
  const intakeId = typeof intake.id === 'string' ? intake.id : '';
  if (!/^[A-Za-z0-9_-]+$/.test(intakeId)) {
    problems.push(
      `spec.steps[0]: the ${INTAKE_ACTION} step needs an id of letters, digits, "-" or "_", which later steps' conditions name`,
    );
  }
  const input = (intake.input ?? {}) as Record<string, unknown>;
  if (input.changeTypeId !== changeType.id) {
    problems.push(
      `spec.steps[0].input.changeTypeId: must be "${changeType.id}", the change type's id`,
    );
  }
  if (
    typeof input.parameters !== 'string' ||
    !/^\$\{\{\s*parameters\s*\}\}$/.test(input.parameters.trim())
  ) {
    problems.push(
      'spec.steps[0].input.parameters: must be ${{ parameters }}: the RFC keeps the whole form, and its execution runs with exactly those values',
    );
  }
  const id = escapeRegExp(intakeId);
  const inExecution = new RegExp(
    `^\\$\\{\\{\\s*steps\\.${id}\\.output\\.execution\\s*\\}\\}$`,
  );
  const inPersonsRun = new RegExp(
    `^\\$\\{\\{\\s*not\\s+steps\\.${id}\\.output\\.execution\\s*\\}\\}$`,
  );
  const automationActions: string[] = [];
  rest.forEach((step, i) => {
    const where = `spec.steps[${i + 1}]${
      typeof step.id === 'string' ? ` (${step.id})` : ''
    }`;
    const condition = typeof step.if === 'string' ? step.if.trim() : '';
    if (step.action === INTAKE_ACTION) {
      problems.push(`${where}: ${INTAKE_ACTION} may only be the first step`);
    } else if (step.action === FOLLOW_ACTION) {
      if (!inPersonsRun.test(condition)) {
        problems.push(
          `${where}: ${FOLLOW_ACTION} runs only in the person's run: add if: \${{ not steps.${intakeId}.output.execution }}`,
        );
      }
    } else {
      automationActions.push(String(step.action));
      if (!inExecution.test(condition)) {
        problems.push(
          `${where}: ${String(
            step.action,
          )} is an automation step and runs only in the execution of the approved RFC: add if: \${{ steps.${intakeId}.output.execution }}`,
        );
      }
    }
  });
  if (changeType.automation === 'manual') {
    if (automationActions.length > 0) {
      problems.push(
        `spec.steps: a manual change type has no automation steps (a person carries it out); remove ${automationActions.join(
          ', ',
        )} or make it automated`,
      );
    }
    return problems;
  }
  if (automationActions.length === 0) {
    problems.push(
      'spec.steps: an automated change type needs at least one automation step after the intake',
    );
  }
  if (
    changeType.serviceCatalog &&
    !automationActions.includes(PROVISION_ACTION)
  ) {
    problems.push(
      `spec.steps: the change type names a Service Catalog product, so it needs a ${PROVISION_ACTION} step`,
    );
  }
  if (
    !changeType.serviceCatalog &&
    automationActions.includes(PROVISION_ACTION)
  ) {
    problems.push(
      `spec.steps: ${PROVISION_ACTION} provisions the change type's product, but annotations ${CHANGE_TYPE_ANNOTATIONS.productId} and ${CHANGE_TYPE_ANNOTATIONS.artifactId} name none`,
    );
  }
  if (changeType.operation) {
    const expected = OPERATION_ACTIONS[changeType.operation];
    if (!automationActions.includes(expected)) {
      problems.push(
        `spec.steps: operation ${changeType.operation} is carried out by ${expected}; add it as an automation step`,
      );
    }
  }
  for (const [operation, action] of Object.entries(OPERATION_ACTIONS)) {
    if (
      automationActions.includes(action) &&
      changeType.operation !== operation
    ) {
      problems.push(
        `spec.steps: ${action} carries out ${operation} RFCs; set annotation ${CHANGE_TYPE_ANNOTATIONS.operation} to ${operation} or remove the step`,
      );
    }
  }
  return problems;
}

/**
 * What makes a Template one of the approved change types besides valid
 * annotations: it is owned by Central IT and comes from a trusted catalog
 * location.
 *
 * @public
 */
export type ChangeTypeGovernance = {
  /** Full group ref of Central IT (config `ops.centralIt.group`). */
  centralItGroup: string;
  /**
   * Location refs (`type:target`) change types may come from; a trailing
   * `*` matches any rest. File targets must already be absolute.
   */
  trustedLocations: string[];
};

/** Annotation the catalog puts on an entity: the location it was first registered through. */
const ORIGIN_LOCATION = 'backstage.io/managed-by-origin-location';
/** Annotation the catalog puts on an entity: the location that holds it. */
const MANAGED_LOCATION = 'backstage.io/managed-by-location';

/**
 * True when the location ref matches one of the trusted patterns.
 *
 * @public
 */
export function isTrustedLocation(
  locationRef: string,
  trustedLocations: string[],
): boolean {
  // A `..` or `.` segment (plain or percent-encoded) could climb out of a
  // trusted prefix on a reader that resolves it later: never trusted.
  if (/(^|[/\\:])(\.|%2e){1,2}([/\\?#]|$)/i.test(locationRef)) {
    return false;
  }
  return trustedLocations.some(pattern =>
    pattern.endsWith('*')
      ? locationRef.startsWith(pattern.slice(0, -1))
      : locationRef === pattern,
  );
}

/**
 * Why a Template that declares itself a change type is not one of the
 * approved catalog for governance reasons: not owned by Central IT, or
 * registered through a location that is not trusted. Both the location it
 * was registered through and the one that holds it must be trusted, so a
 * trusted Location cannot pull a change type in from elsewhere.
 *
 * @public
 */
export function changeTypeGovernanceProblems(
  entity: Entity,
  governance: ChangeTypeGovernance,
): string[] {
  const problems: string[] = [];
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  const ownerRef =
    typeof owner === 'string' ? normalizeGroupRefLoosely(owner) : undefined;
  const central = normalizeGroupRefLoosely(governance.centralItGroup);
  if (!ownerRef || ownerRef !== central) {
    problems.push(
      `spec.owner: a change type must be owned by ${
        governance.centralItGroup
      }, which governs the approved catalog; it is owned by ${
        typeof owner === 'string' && owner ? owner : 'nobody'
      }`,
    );
  }
  const annotations = entity.metadata.annotations ?? {};
  for (const key of [ORIGIN_LOCATION, MANAGED_LOCATION]) {
    const location = annotations[key];
    if (!location) {
      problems.push(
        `${key}: the catalog did not say where this template comes from, so it cannot be trusted`,
      );
    } else if (!isTrustedLocation(location, governance.trustedLocations)) {
      problems.push(
        `${key}: ${location} is not a trusted location for change types (config ops.changeTypes.trustedLocations)`,
      );
    }
  }
  return problems;
}

function normalizeGroupRefLoosely(value: string): string | undefined {
  const match = GROUP_REF.exec(value.trim());
  if (!match) return undefined;
  return `group:${(match[1] ?? 'default').toLocaleLowerCase(
    'en-US',
  )}/${match[2].toLocaleLowerCase('en-US')}`;
}
