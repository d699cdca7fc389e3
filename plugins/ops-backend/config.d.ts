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
