import {
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerService,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  compileTagPolicy,
  RESERVED_AWS_TAGS,
  STACK_PROVISIONED_TOPIC,
  tagDrift,
  TagPolicy,
  TagPolicyEvaluator,
  validateTagPolicy,
} from '@cloud-ops/plugin-ops-common';
import {
  ANNOTATION_OWNER_FALLBACK,
  ANNOTATION_TAG_DRIFT,
  DEFAULT_SYSTEM_TAG,
  ProvisionedStack,
  ServiceCatalogGateway,
  stackEntityFromProvisionedProduct,
} from '@cloud-ops/plugin-ops-node';

const CONFIG_KEY = 'catalog.providers.opsStacks';

/** Local runs: a stack provisioned in the sandbox shows up within seconds. */
const SANDBOX_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 10 },
  timeout: { minutes: 1 },
  initialDelay: { seconds: 5 },
};

const AWS_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 30 },
};

/** Keeps the drift annotation readable in the entity page's annotation list. */
const DRIFT_SUMMARY_MAX_LENGTH = 1000;

/** One account and region whose provisioned products become stacks. @public */
export type StackTarget = { accountId: string; region: string };

/** @public */
export type StackEntityProviderOptions = {
  target: StackTarget;
  gateway: ServiceCatalogGateway;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  /** Group ref owning stacks whose owner tag is missing or not a group ref. */
  fallbackOwner: string;
  ownerTag?: string;
  systemTag?: string;
  /** The tag policy drift is measured against; none means only entity drift. */
  tagPolicy?: TagPolicy;
  /** Subscribed to, so a stack an execution provisioned is read at once. */
  events?: EventsService;
};

/**
 * Turns the provisioned products of one AWS account and region into
 * Resource entities of `spec.type: stack`, replacing its whole set on every
 * run, so stacks terminated or created outside the portal are followed too.
 * One provider per account and region: a failed read in one account leaves
 * the others' stacks alone and keeps its own last good set.
 *
 * @public
 */
export class StackEntityProvider implements EntityProvider {
  private readonly options: StackEntityProviderOptions;
  private readonly evaluateTagPolicy: TagPolicyEvaluator;
  private readonly locationRef: string;
  private connection?: EntityProviderConnection;
  /** What was last logged per provisioned product, so each change is logged once. */
  private readonly reported = new Map<string, string>();
  private lastSummary?: string;

  /**
   * One provider per account and region in `catalog.providers.opsStacks`.
   * Without that config: with the sandbox, its account every 10 seconds;
   * with AWS, `ops.aws.accountId` and `ops.aws.region` every 10 minutes, or
   * none when they are not set.
   */
  static fromConfig(
    config: Config,
    deps: {
      logger: LoggerService;
      scheduler: SchedulerService;
      gateway: ServiceCatalogGateway;
      /** Lets an execution that provisioned a stack ask for a read at once. */
      events?: EventsService;
    },
  ): StackEntityProvider[] {
    const { logger, scheduler, gateway, events } = deps;
    const providerConfig = config.getOptionalConfig(CONFIG_KEY);
    if (providerConfig?.getOptionalBoolean('enabled') === false) {
      return [];
    }
    const sandbox = gateway.implementation === 'sandbox';
    const defaultAccount =
      config.getOptionalString('ops.aws.accountId') ??
      (sandbox ? '000000000000' : undefined);
    const defaultRegion =
      config.getOptionalString('ops.aws.region') ??
      (sandbox ? 'eu-west-1' : undefined);

    const accountConfigs = providerConfig?.getOptionalConfigArray('accounts');
    let targets: StackTarget[];
    if (accountConfigs) {
      targets = accountConfigs.map(c => ({
        accountId: c.getString('accountId'),
        region: c.getOptionalString('region') ?? requireRegion(defaultRegion),
      }));
    } else if (defaultAccount && defaultRegion) {
      targets = [{ accountId: defaultAccount, region: defaultRegion }];
    } else {
      logger.warn(
        `No stacks are read into the catalog: set ${CONFIG_KEY}.accounts, or ops.aws.accountId and ops.aws.region`,
      );
      return [];
    }
    for (const { accountId, region } of targets) {
      if (!/^\d{12}$/.test(accountId)) {
        throw new Error(
          `${CONFIG_KEY}.accounts: "${accountId}" is not a 12-digit AWS account id`,
        );
      }
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        throw new Error(
          `${CONFIG_KEY}.accounts: "${region}" is not an AWS region such as eu-west-1`,
        );
      }
    }

    const fallbackOwner =
      providerConfig?.getOptionalString('fallbackOwner') ??
      config.getOptionalString('ops.centralIt.group');
    if (!fallbackOwner) {
      throw new Error(
        `Stacks need a fallback owner: set ${CONFIG_KEY}.fallbackOwner or ops.centralIt.group`,
      );
    }
    if (!isGroupRef(fallbackOwner)) {
      throw new Error(
        `The fallback owner of stacks must be a group ref such as group:default/central-it, got "${fallbackOwner}"`,
      );
    }

    const rawPolicy = config.getOptional('ops.tagPolicy');
    let tagPolicy: TagPolicy | undefined;
    if (rawPolicy !== undefined) {
      const problems = validateTagPolicy(rawPolicy);
      if (problems.length) {
        throw new Error(`Invalid ops.tagPolicy: ${problems.join('; ')}`);
      }
      tagPolicy = rawPolicy as TagPolicy;
    }

    let schedule = sandbox ? SANDBOX_SCHEDULE : AWS_SCHEDULE;
    if (providerConfig?.has('schedule')) {
      schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
        providerConfig.getConfig('schedule'),
      );
    }

    return targets.map(
      target =>
        new StackEntityProvider({
          target,
          gateway,
          logger,
          taskRunner: scheduler.createScheduledTaskRunner(schedule),
          fallbackOwner,
          ownerTag: providerConfig?.getOptionalString('ownerTag'),
          systemTag: providerConfig?.getOptionalString('systemTag'),
          tagPolicy,
          events,
        }),
    );
  }

  constructor(options: StackEntityProviderOptions) {
    this.options = options;
    this.evaluateTagPolicy = compileTagPolicy(
      options.tagPolicy ?? { rules: [], owner: { enabled: false } },
    );
    this.locationRef = `ops-stacks:${options.target.accountId}/${options.target.region}`;
  }

  getProviderName(): string {
    return `StackEntityProvider:${this.options.target.accountId}/${this.options.target.region}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    // A stack an execution just provisioned shows up now, not at the next
    // scheduled read. The read is the same full read, so an event for another
    // account changes nothing here.
    await this.options.events?.subscribe({
      id: `${this.getProviderName()}:stack-provisioned`,
      topics: [STACK_PROVISIONED_TOPIC],
      onEvent: async () => {
        try {
          await this.refresh();
        } catch (error) {
          this.options.logger.warn(
            `${this.getProviderName()}: read after a provisioned stack failed: ${error}`,
          );
        }
      },
    });
    await this.options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /**
   * Reads the account's provisioned products and replaces the catalog's
   * stacks of this account and region with them. A failed read throws before
   * anything is applied, so the catalog keeps the last good set.
   */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    const { target, gateway, logger } = this.options;
    const started = Date.now();
    const products = await gateway.listProvisionedProducts({
      account: target.accountId,
      region: target.region,
    });

    const entities: Entity[] = [];
    const names = new Set<string>();
    for (const product of products) {
      const entity = this.toEntity(product);
      if (!entity) continue;
      // Two products of one name would fight over one entity; the later one
      // is told apart by its product id.
      if (names.has(entity.metadata.name)) {
        entity.metadata.name = `${entity.metadata.name.slice(0, 45)}-${
          product.provisionedProductId
        }`
          .slice(0, 63)
          .replace(/[^A-Za-z0-9]+$/, '');
      }
      names.add(entity.metadata.name);
      entities.push(entity);
    }

    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.locationRef,
      })),
    });
    const summary = `${entities.length} stacks from ${products.length} provisioned products (${gateway.implementation})`;
    // Short local schedules would flood the log with identical lines.
    const level = summary === this.lastSummary ? 'debug' : 'info';
    this.lastSummary = summary;
    logger[level](
      `${this.getProviderName()}: ${summary} in ${Date.now() - started} ms`,
    );
  }

  private toEntity(product: ProvisionedStack): Entity | undefined {
    const { fallbackOwner, ownerTag, systemTag, logger } = this.options;
    const stack = stackEntityFromProvisionedProduct(product, {
      fallbackOwner,
      ownerTag,
      systemTag,
    });
    if (!stack) return undefined;
    const entity: Entity = {
      ...stack,
      metadata: {
        ...stack.metadata,
        annotations: {
          ...stack.metadata.annotations,
          [ANNOTATION_LOCATION]: this.locationRef,
          [ANNOTATION_ORIGIN_LOCATION]: this.locationRef,
        },
      },
    };

    const drift = tagDrift({
      awsTags: this.driftTags(product),
      entity,
      policy: this.evaluateTagPolicy,
    });
    const driftSummary = drift.length
      ? truncate(
          `${drift.length} ${
            drift.length === 1 ? 'difference' : 'differences'
          }: ${drift.map(d => d.message).join('; ')}`,
        )
      : undefined;
    if (driftSummary) {
      entity.metadata.annotations![ANNOTATION_TAG_DRIFT] = driftSummary;
    }

    const fallback = stack.metadata.annotations[ANNOTATION_OWNER_FALLBACK];
    const report = [fallback, driftSummary].filter(Boolean).join(' | ');
    if (this.reported.get(product.provisionedProductId) !== report) {
      this.reported.set(product.provisionedProductId, report);
      const ref = stringifyEntityRef(entity);
      if (fallback) logger.warn(`Stack ${ref}: ${fallback}`);
      if (driftSummary) logger.warn(`Stack ${ref} tag drift: ${driftSummary}`);
    }
    return entity;
  }

  /**
   * The AWS tags as drift should see them: the configured owner tag under the
   * suite's reserved key, so it is compared with `spec.owner`; without the
   * system tag, which maps to `spec.system`; and without AWS's own `aws:`
   * tags, which nobody can set or change.
   */
  private driftTags(product: ProvisionedStack) {
    const ownerTag = this.options.ownerTag ?? RESERVED_AWS_TAGS.owner;
    const systemTag = this.options.systemTag ?? DEFAULT_SYSTEM_TAG;
    return product.tags.flatMap(tag => {
      if (tag.Key === systemTag || tag.Key.startsWith('aws:')) return [];
      if (tag.Key === ownerTag) {
        return [{ Key: RESERVED_AWS_TAGS.owner, Value: tag.Value }];
      }
      if (tag.Key === RESERVED_AWS_TAGS.owner) return [];
      return [tag];
    });
  }
}

function isGroupRef(ref: string): boolean {
  try {
    return (
      parseEntityRef(ref, { defaultKind: 'group' }).kind.toLocaleLowerCase(
        'en-US',
      ) === 'group'
    );
  } catch {
    return false;
  }
}

function requireRegion(region: string | undefined): string {
  if (!region) {
    throw new Error(
      `${CONFIG_KEY}.accounts: give each account a region, or set ops.aws.region`,
    );
  }
  return region;
}

function truncate(text: string): string {
  return text.length <= DRIFT_SUMMARY_MAX_LENGTH
    ? text
    : `${text.slice(0, DRIFT_SUMMARY_MAX_LENGTH - 1)}…`;
}
