/**
 * The responsibility matrix between business-unit teams and Central IT, as
 * data. Each activity says who is Responsible (does the work), Consulted or
 * Informed. Deployments can override rows in config, and entities can
 * override them with an annotation; see `resolveRaci`.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ANNOTATION_RACI_OVERRIDES } from './operations';

/** @public */
export type RaciRole = 'R' | 'C' | 'I';

/** The two parties of the operating model. @public */
export type RaciParty = 'team' | 'centralIt';

/** @public */
export type RaciCapability =
  | 'application-lifecycle'
  | 'rds-management'
  | 'change-management'
  | 'provisioning'
  | 'provisioning-stack-architecture'
  | 'logging-monitoring-events'
  | 'incident-management'
  | 'security-management'
  | 'security-access-management'
  | 'patch-management'
  | 'continuity-management'
  | 'reporting'
  | 'service-request-management';

/** @public */
export type RaciActivity = {
  /** Stable id, `<capability>.<slug>`. */
  id: string;
  capability: RaciCapability;
  activity: string;
  team: RaciRole;
  centralIt: RaciRole;
};

/** Display names of the capabilities, in the order the matrix lists them. @public */
export const RACI_CAPABILITIES: Record<RaciCapability, string> = {
  'application-lifecycle': 'Application Lifecycle Management',
  'rds-management': 'AWS RDS Management',
  'change-management': 'Change Management',
  provisioning: 'Provisioning',
  'provisioning-stack-architecture': 'Provisioning - Stack Architecture',
  'logging-monitoring-events': 'Logging, Monitoring and Event Management',
  'incident-management': 'Incident Management',
  'security-management': 'Security Management',
  'security-access-management': 'Security - Access Management',
  'patch-management': 'Patch Management',
  'continuity-management': 'Continuity Management',
  reporting: 'Reporting',
  'service-request-management': 'Service Request Management',
};

type Row = [
  slug: string,
  activity: string,
  team: RaciRole,
  centralIt: RaciRole,
];

const ROWS: Record<RaciCapability, Row[]> = {
  'application-lifecycle': [
    ['app-development', 'Application development', 'R', 'I'],
    [
      'infra-requirements',
      'Application infrastructure requirements analysis and design',
      'R',
      'C',
    ],
    [
      'non-standard-stacks',
      'Design and optimization for non-standard stacks',
      'R',
      'C',
    ],
    ['standard-stacks', 'Design and optimization of standard stacks', 'I', 'R'],
    ['app-deployment', 'Application deployment', 'R', 'C'],
    ['infra-deployment', 'AWS infrastructure deployment', 'C', 'R'],
    ['app-monitoring', 'Application monitoring', 'R', 'I'],
    ['app-testing', 'Application testing and optimization', 'R', 'I'],
    [
      'infra-optimization',
      'AWS infrastructure optimization guidance',
      'I',
      'R',
    ],
    [
      'shared-infra-monitoring',
      'AWS shared infrastructure monitoring',
      'I',
      'R',
    ],
    ['app-issues', 'Troubleshoot and resolve application issues', 'R', 'C'],
    [
      'infra-issues',
      'Troubleshoot and resolve operating system, AWS network and infrastructure issues',
      'C',
      'R',
    ],
    [
      'service-integration',
      'Application integration with AWS service offerings',
      'R',
      'C',
    ],
  ],
  'rds-management': [
    [
      'replication-health',
      'Monitor parent, node and read-replica replication health',
      'I',
      'R',
    ],
    ['failover-rca', 'Identify the root cause of a parent failover', 'I', 'R'],
    ['snapshot-config', 'Automated snapshot (backup) configuration', 'C', 'R'],
    [
      'engine-patching',
      'Coordinate and schedule DB engine patch management',
      'I',
      'R',
    ],
    ['storage-capacity', 'Recommend DB storage and PIOPS capacity', 'C', 'R'],
    [
      'instance-sizing',
      'Recommend instance sizing for running databases',
      'C',
      'R',
    ],
    [
      'ri-optimization',
      'Recommend reserved-instance optimization for the managed environment',
      'C',
      'R',
    ],
    [
      'performance-monitoring',
      'RDS performance monitoring (CloudWatch)',
      'I',
      'R',
    ],
    [
      'event-subscriptions',
      'RDS event subscription configuration (SNS)',
      'C',
      'R',
    ],
    ['security-groups', 'RDS security group configuration', 'C', 'R'],
    [
      'engine-parameters',
      'RDS engine parameter and option configuration',
      'R',
      'C',
    ],
    ['table-design', 'DB table design', 'R', 'I'],
    ['indexing', 'DB indexing', 'R', 'I'],
    ['log-analysis', 'DB log analysis', 'R', 'I'],
  ],
  'change-management': [
    [
      'create-user-rfc',
      'Creating user RFCs (access to resources, managed stacks, application deployments, service configuration)',
      'R',
      'I',
    ],
    ['approve-user-rfc', 'Approving user RFCs', 'I', 'R'],
    [
      'create-central-it-rfc',
      "Creating Central IT RFCs (access to resources, resources on the team's behalf, OS updates)",
      'I',
      'R',
    ],
    ['approve-non-automated-rfc', 'Approving non-automated RFCs', 'R', 'I'],
    [
      'request-change-type',
      'Submitting requests for new change types',
      'R',
      'C',
    ],
    ['create-change-type', 'Creating new change types', 'I', 'R'],
    [
      'change-calendar',
      'Maintenance of the application change calendar',
      'R',
      'C',
    ],
    [
      'maintenance-notice',
      'Notifying of an upcoming maintenance window',
      'I',
      'R',
    ],
  ],
  provisioning: [
    [
      'ami-additions',
      'Team-specific additions to the Central IT baseline AMI',
      'R',
      'C',
    ],
    [
      'configure-change-types',
      'Configure additional approved change types used to provision stack templates',
      'C',
      'R',
    ],
    [
      'launch-stacks',
      'Launch managed stacks and associated AWS resources',
      'I',
      'R',
    ],
    [
      'install-apps',
      'Install and update custom and third-party applications on instances',
      'R',
      'I',
    ],
  ],
  'provisioning-stack-architecture': [
    [
      'os-licenses',
      'Providing OS licenses (including EC2 and RDS usage fees)',
      'I',
      'R',
    ],
    [
      'baseline-templates',
      'Define baseline infrastructure templates (stacks) for application deployment',
      'I',
      'R',
    ],
    ['baseline-amis', 'Creating baseline approved AMIs', 'I', 'R'],
    [
      'fit-assessment',
      'Evaluate the application inventory against the available stack templates',
      'R',
      'C',
    ],
    [
      'unique-stacks',
      'Define unique stacks beyond the baseline template offerings',
      'R',
      'C',
    ],
  ],
  'logging-monitoring-events': [
    ['infra-change-logs', 'Recording AWS infrastructure change logs', 'I', 'R'],
    ['app-change-logs', 'Recording all application change logs', 'R', 'C'],
    [
      'agents',
      'Installing and configuring agents for patching, security and monitoring of AWS infrastructure',
      'I',
      'R',
    ],
    [
      'monitoring-requirements',
      'Define team-specific monitoring and incident requirements',
      'R',
      'C',
    ],
    [
      'configure-alarms',
      'Configuring AWS alarms for the managed environment',
      'I',
      'R',
    ],
    ['monitor-alarms', 'Monitoring all AWS alarms', 'I', 'R'],
    [
      'investigate-infra-alerts',
      'Investigating infrastructure alerts for incident notification',
      'I',
      'R',
    ],
    ['investigate-app-alarms', 'Investigating application alarms', 'R', 'C'],
  ],
  'incident-management': [
    [
      'notify-incidents',
      'Proactively notify incidents on AWS infrastructure based on monitoring',
      'I',
      'R',
    ],
    [
      'app-outages',
      'Handle application performance issues and outages',
      'R',
      'I',
    ],
    ['categorize-priority', 'Categorize incident priority', 'I', 'R'],
    ['incident-response', 'Provide incident response within SLA', 'I', 'R'],
    [
      'incident-resolution',
      'Provide incident resolution and infrastructure restore within SLA',
      'C',
      'R',
    ],
    [
      'identify-problems',
      'Identify problems in the managed environment',
      'C',
      'R',
    ],
    [
      'problem-rca',
      'Perform root-cause analysis for problems in the managed environment',
      'C',
      'R',
    ],
    [
      'problem-remediation',
      'Remediation of problems in the managed environment',
      'C',
      'R',
    ],
    ['app-problems', 'Identify and remediate application problems', 'R', 'I'],
  ],
  'security-management': [
    [
      'security-baseline',
      'Infrastructure security and the baseline for security compliance agreed at onboarding',
      'C',
      'R',
    ],
    [
      'security-licenses',
      'Maintaining valid licenses for managed security software',
      'R',
      'C',
    ],
    [
      'configure-security-software',
      'Configure managed security software',
      'I',
      'R',
    ],
    ['update-security-software', 'Update managed security software', 'I', 'R'],
    ['malware-monitoring', 'Monitoring malware on instances', 'I', 'R'],
    ['virus-signatures', 'Maintaining and updating virus signatures', 'I', 'R'],
    [
      'malware-remediation',
      'Remediating instances infected with malware',
      'C',
      'R',
    ],
    ['security-events', 'Security event management', 'C', 'R'],
  ],
  'security-access-management': [
    [
      'directory-users',
      'Manage the lifecycle of users and their permissions in local directory services used to reach Central IT',
      'R',
      'I',
    ],
    [
      'federation',
      'Operate federated authentication for AWS console and API access',
      'R',
      'C',
    ],
    [
      'ad-trust',
      'Accept and maintain the Active Directory trust from Central IT AD to the team-managed AD',
      'R',
      'C',
    ],
    [
      'admin-roles',
      'During onboarding, create cross-account IAM admin roles in each managed account',
      'R',
      'C',
    ],
    [
      'root-credentials',
      'Secure the AWS root credential for each account',
      'I',
      'R',
    ],
    [
      'iam-resources',
      'Define IAM resources for the managed environment',
      'C',
      'R',
    ],
    [
      'central-it-os-credentials',
      'Manage privileged OS credentials for Central IT engineers',
      'I',
      'R',
    ],
    [
      'team-os-credentials',
      'Manage privileged OS credentials provided to the team by Central IT',
      'R',
      'I',
    ],
  ],
  'patch-management': [
    [
      'monitor-updates',
      'Monitor for applicable updates to supported OS and pre-installed software on EC2 instances',
      'I',
      'R',
    ],
    ['notify-updates', 'Notify the team of upcoming updates', 'I', 'R'],
    [
      'exclude-updates',
      'Exclude certain updates or stacks from patching',
      'R',
      'I',
    ],
    ['apply-updates', 'Apply updates to EC2 instances', 'I', 'R'],
    [
      'dev-software',
      'Patch development software (.NET, PHP, Perl, Python)',
      'R',
      'I',
    ],
    ['middleware', 'Patch and monitor middleware applications', 'R', 'C'],
    [
      'custom-apps',
      'Patch and monitor custom and third-party applications',
      'R',
      'C',
    ],
  ],
  'continuity-management': [
    ['backup-schedule', 'Specify backup schedules', 'R', 'I'],
    ['execute-backups', 'Execute backups per schedule', 'I', 'R'],
    ['validate-backups', 'Validate backups', 'R', 'I'],
    ['request-restore', 'Request backup restoration activities', 'R', 'I'],
    ['execute-restore', 'Execute backup restoration activities', 'I', 'R'],
    ['restore-stacks', 'Restore affected stacks and VPCs', 'I', 'R'],
    [
      'restore-apps',
      'Restore affected custom and third-party applications',
      'R',
      'C',
    ],
  ],
  reporting: [
    [
      'monthly-report',
      'Prepare and deliver the monthly service report',
      'I',
      'R',
    ],
    [
      'api-audit',
      'Configure and retrieve API audit history on demand (CloudTrail)',
      'I',
      'R',
    ],
    [
      'incident-history',
      'Provide access to incident history through the portal',
      'I',
      'R',
    ],
    [
      'change-history',
      'Provide access to change history through the portal',
      'I',
      'R',
    ],
  ],
  'service-request-management': [
    [
      'request-information',
      'Request information using service requests',
      'R',
      'I',
    ],
    ['reply-requests', 'Reply to service requests', 'I', 'R'],
  ],
};

/**
 * The whole matrix, one row per activity.
 *
 * @public
 */
export const RACI_MATRIX: readonly RaciActivity[] = (
  Object.keys(ROWS) as RaciCapability[]
).flatMap(capability =>
  ROWS[capability].map(([slug, activity, team, centralIt]) => ({
    id: `${capability}.${slug}`,
    capability,
    activity,
    team,
    centralIt,
  })),
);

/** Per-activity overrides, keyed by activity id. @public */
export type RaciOverrides = Record<
  string,
  Partial<Pick<RaciActivity, 'team' | 'centralIt'>>
>;

/** One activity with its parties resolved to catalog groups. @public */
export type ResolvedRaciActivity = RaciActivity & {
  /** Group entity refs that hold each role. */
  responsible: string[];
  consulted: string[];
  informed: string[];
};

/**
 * Applies overrides (config first, then the entity's own) and resolves the two
 * parties to real groups: the entity's owning team and the Central IT group.
 * An override naming an unknown activity is an error, so typos do not pass
 * silently.
 *
 * @public
 */
export function resolveRaci(options: {
  ownerRef: string;
  centralItRef: string;
  overrides?: RaciOverrides[];
  matrix?: readonly RaciActivity[];
}): ResolvedRaciActivity[] {
  const matrix = options.matrix ?? RACI_MATRIX;
  const known = new Set(matrix.map(row => row.id));
  const merged: RaciOverrides = {};
  for (const layer of options.overrides ?? []) {
    for (const [id, roles] of Object.entries(layer)) {
      if (!known.has(id)) {
        throw new Error(`Unknown RACI activity "${id}" in override`);
      }
      merged[id] = { ...merged[id], ...roles };
    }
  }
  return matrix.map(row => {
    const team = merged[row.id]?.team ?? row.team;
    const centralIt = merged[row.id]?.centralIt ?? row.centralIt;
    const holders = (role: RaciRole) => {
      const refs: string[] = [];
      if (team === role) refs.push(options.ownerRef);
      if (centralIt === role && !refs.includes(options.centralItRef)) {
        refs.push(options.centralItRef);
      }
      return refs;
    };
    return {
      ...row,
      team,
      centralIt,
      responsible: holders('R'),
      consulted: holders('C'),
      informed: holders('I'),
    };
  });
}

/**
 * Validates a RACI override object read from config or an annotation.
 * Returns the problems found; an empty list means it is usable.
 *
 * @public
 */
export function validateRaciOverrides(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['RACI overrides must be an object keyed by activity id'];
  }
  const known = new Set(RACI_MATRIX.map(row => row.id));
  const problems: string[] = [];
  for (const [id, roles] of Object.entries(value as Record<string, unknown>)) {
    if (!known.has(id)) {
      problems.push(`unknown RACI activity "${id}"`);
      continue;
    }
    if (typeof roles !== 'object' || roles === null) {
      problems.push(`override for "${id}" must be an object`);
      continue;
    }
    for (const [party, role] of Object.entries(roles)) {
      if (party !== 'team' && party !== 'centralIt') {
        problems.push(
          `override for "${id}" names unknown party "${party}"; use team or centralIt`,
        );
      } else if (role !== 'R' && role !== 'C' && role !== 'I') {
        problems.push(`override for "${id}.${party}" must be R, C or I`);
      }
    }
  }
  return problems;
}

/**
 * The RACI matrix config serves to the Operations tab (`GET /api/ops/raci`):
 * the same for every entity, so the tab resolves it per entity itself with
 * {@link resolveEntityRaci}.
 *
 * @public
 */
export type RaciConfig = {
  /** The Central IT group, as `ops.centralIt.group` names it. */
  centralItGroup: string;
  /** `ops.raci.overrides`, applied before an entity's own annotation. */
  overrides: RaciOverrides | null;
};

/** The entity fields {@link resolveEntityRaci} reads. @public */
export type RaciEntity = {
  metadata: { namespace?: string; annotations?: Record<string, string> };
  spec?: unknown;
};

/**
 * An entity's RACI: the matrix with the config's overrides, then the
 * entity's `cloud-ops.io/raci-overrides` annotation (ignored, with a
 * warning, when it is not valid JSON or not a valid override), resolved to
 * the entity's owner and the Central IT group.
 *
 * @public
 */
export function resolveEntityRaci(
  entity: RaciEntity,
  config: RaciConfig,
): { activities: ResolvedRaciActivity[]; warnings: string[] } {
  const warnings: string[] = [];
  const layers: RaciOverrides[] = config.overrides ? [config.overrides] : [];
  const annotation = entity.metadata.annotations?.[ANNOTATION_RACI_OVERRIDES];
  if (annotation !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(annotation);
    } catch {
      warnings.push(
        `Annotation ${ANNOTATION_RACI_OVERRIDES} is not valid JSON and was ignored`,
      );
    }
    if (parsed !== undefined) {
      const problems = validateRaciOverrides(parsed);
      if (problems.length) {
        warnings.push(
          `Annotation ${ANNOTATION_RACI_OVERRIDES} was ignored: ${problems.join(
            '; ',
          )}`,
        );
      } else {
        layers.push(parsed as RaciOverrides);
      }
    }
  }
  return {
    activities: resolveRaci({
      ownerRef: entityOwnerRef(entity) ?? 'unknown owner',
      centralItRef: config.centralItGroup,
      overrides: layers,
    }),
    warnings,
  };
}

/** `spec.owner` as a full entity ref (kind group by default), if it parses. */
function entityOwnerRef(entity: RaciEntity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}
