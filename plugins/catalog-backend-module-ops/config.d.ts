import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * Provisioned AWS Service Catalog products as stack Resource entities.
       * Without this block the sandbox account is read every 10 seconds when
       * `ops.aws.implementation` is `sandbox`, and with `aws` the account
       * `ops.aws.accountId` in `ops.aws.region` every 10 minutes.
       */
      opsStacks?: {
        /** Set to false to read no stacks at all. */
        enabled?: boolean;
        /** Accounts and regions whose provisioned products become stacks. */
        accounts?: Array<{
          /** 12-digit AWS account id. */
          accountId: string;
          /** AWS region; defaults to `ops.aws.region`. */
          region?: string;
        }>;
        /** How often each account is read. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** AWS tag holding the owning group; defaults to `cloud-ops.io/owner`. */
        ownerTag?: string;
        /** AWS tag holding the System; defaults to `cloud-ops.io/system`. */
        systemTag?: string;
        /**
         * Group ref owning stacks whose owner tag is missing or not a group
         * reference; defaults to `ops.centralIt.group`.
         */
        fallbackOwner?: string;
      };
    };
  };
  ops?: {
    /**
     * Key/value tags (annotations `tags.cloud-ops.io/<key>`) that entities
     * must carry, and the owner rule. Read by the catalog's tag policy
     * processor and by the ops API's tag-compliance listing. Without it no
     * entity is checked.
     */
    tagPolicy?: {
      /** Rules per entity kind and, optionally, `spec.type`. */
      rules?: Array<{
        /** Entity kind, matched case-insensitively, e.g. Component. */
        kind: string;
        /** `spec.type` to match; omitted means every type of the kind. */
        type?: string;
        /** Severity of this rule's violations; defaults to error. */
        severity?: 'error' | 'warning';
        /** Tag keys that must be present with a non-empty value. */
        required?: string[];
        /** Value rules per tag key, checked whenever the key is present. */
        keys?: {
          [key: string]: {
            /** The only values allowed. */
            allowed?: string[];
            /** Regular expression the whole value must match. */
            pattern?: string;
            /** Overrides the rule's severity for this key. */
            severity?: 'error' | 'warning';
          };
        };
      }>;
      /**
       * How the catalog treats a violation of severity error. By default it
       * is shown on the entity as a processing error and the entity is still
       * stored. When true, processing of the entity fails instead: the
       * catalog keeps its last valid version, and a new entity does not
       * appear, until the violation is fixed.
       */
      blockOnError?: boolean;
      /** The rule that `spec.owner` must be an existing Group. */
      owner?: {
        /** On unless set to false. */
        enabled?: boolean;
        /** Defaults to error. */
        severity?: 'error' | 'warning';
      };
    };
  };
}
