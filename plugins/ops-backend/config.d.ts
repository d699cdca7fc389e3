export interface Config {
  ops?: {
    centralIt?: {
      /**
       * Group entity ref of Central IT. Its members approve user RFCs, and
       * RFCs they request are approved by the owning team.
       * Defaults to group:default/central-it.
       * @visibility frontend
       */
      group?: string;
    };
    /**
     * The executor: it carries out approved RFCs of automated change types at
     * their requested start time by launching their template's execution run
     * in the scaffolder, and closes them from the run's outcome.
     */
    execution?: {
      /**
       * How often it looks for work; one replica runs it at a time. It also
       * runs at once after an RFC is approved. Defaults to 10 seconds.
       */
      frequency?: { [unit: string]: number } | string;
      /**
       * How long a replica holds an RFC it works on; another replica takes
       * the RFC over only after this has passed without a renewal. Defaults to
       * two minutes.
       */
      lease?: { [unit: string]: number } | string;
      /**
       * Longest one run of the executor (one look for work) may take before
       * the scheduler takes it for lost. A replica that dies in a run holds
       * the executor until then, and until the scheduler's janitor, which
       * looks every minute, frees it; then another replica runs it. Defaults
       * to two minutes.
       */
      runTimeout?: { [unit: string]: number } | string;
      /**
       * Longest an execution run may take; after it the run is cancelled and
       * the RFC fails. Defaults to three hours.
       */
      timeout?: { [unit: string]: number } | string;
    };
    /**
     * Operations data: alarms, patch state and backups per entity, read from
     * AWS (or the sandbox, per `ops.aws.implementation`) into snapshots. The
     * tag policy the Operations tab evaluates is `ops.tagPolicy`.
     */
    operations?: {
      /**
       * When the refresh of every mapped entity runs; one replica runs it
       * (scheduler scope global). Defaults to every 15 minutes.
       */
      schedule?: {
        frequency: { [unit: string]: number } | string | { cron: string };
        timeout: { [unit: string]: number } | string;
        initialDelay?: { [unit: string]: number } | string;
      };
      /** Shortest time between on-demand refreshes of one entity. Defaults to 60. */
      refreshIntervalSeconds?: number;
      /** Timeout of each AWS request, in seconds. Defaults to 10. */
      requestTimeoutSeconds?: number;
      /** Hours between backups expected when no backup plan says. Defaults to 24. */
      backupIntervalHours?: number;
      /**
       * Accounts and regions searched for stacks tagged
       * `cloud-ops.io/entity-ref`, besides those the entities' annotations
       * name and `ops.aws.accountId`/`ops.aws.region`.
       */
      stackLocations?: Array<{ accountId: string; region: string }>;
    };
    /** Incidents opened from alarms on mapped resources. */
    incidents?: {
      /** Priority when no rule matches. Defaults to P3. */
      defaultPriority?: 'P1' | 'P2' | 'P3' | 'P4';
      /**
       * Tried in order; the first rule whose every given field matches the
       * alarm (and the entity's lifecycle) sets the priority.
       */
      priorityRules?: Array<{
        name: string;
        priority: 'P1' | 'P2' | 'P3' | 'P4';
        /** Regular expression tested against the alarm name. */
        alarmNamePattern?: string;
        metricNamespace?: string;
        metricName?: string;
        /** The entity's spec.lifecycle, e.g. production. */
        lifecycle?: string;
      }>;
    };
    /** Problems opened when the same alarm keeps opening incidents. */
    problems?: {
      /** Incidents of one alarm within the window that open a problem. Defaults to 3. */
      recurrenceThreshold?: number;
      /** The window, in hours. Defaults to 168 (a week). */
      windowHours?: number;
    };
    patching?: {
      /** How long before a maintenance window its owners are told. Defaults to 72. */
      notifyBeforeHours?: number;
    };
    /** Limits on what one request, and one caller, may send. */
    limits?: {
      /** Largest JSON request body in bytes (413 above it). Defaults to 102400. */
      requestBodyBytes?: number;
      /**
       * Writes (POST, PUT, PATCH, DELETE, the refresh included) each user or
       * service may make per window (429 with Retry-After above it).
       * Counted in `backend.cache`, so shared by replicas when it is Redis.
       * 0 turns the limit off. Defaults to 300.
       */
      writesPerWindow?: number;
      /** Length of the rate-limit window in seconds. Defaults to 60. */
      windowSeconds?: number;
    };
    emergency?: {
      /**
       * Days an executed emergency change has for its post-implementation
       * review before it is overdue. Defaults to 5.
       */
      reviewWithinDays?: number;
    };
    calendar?: {
      /**
       * Days of the past and of the future the iCalendar feed holds.
       * Default 30 and 180.
       */
      feedPastDays?: number;
      feedFutureDays?: number;
    };
    raci?: {
      /**
       * RACI overrides by activity id, e.g.
       * `patch-management.apply-updates: { team: C }`. Entities override
       * further with the annotation `cloud-ops.io/raci-overrides` (JSON).
       */
      overrides?: {
        [activityId: string]: {
          team?: 'R' | 'C' | 'I';
          centralIt?: 'R' | 'C' | 'I';
        };
      };
    };
  };
}
