export interface Config {
  ops?: {
    /** The approved change-type catalog. */
    changeTypes?: {
      /**
       * Catalog locations change types may come from, as location refs
       * (`file:<path>` relative to the backend's working directory, or
       * `url:<address>`); a trailing `*` matches any rest, e.g.
       * `url:https://github.com/acme/change-types/blob/main/*`. A Template
       * that declares itself a change type from anywhere else, or not owned
       * by `ops.centralIt.group`, is refused with a processing error and
       * never offered. Defaults to none: no change types at all.
       */
      trustedLocations?: string[];
    };
    aws?: {
      /**
       * `aws` calls AWS through SDK v3 with credentials from the `aws`
       * integration config; `sandbox` serves a simulated account in process.
       */
      implementation?: 'aws' | 'sandbox';
      /** Account used when a change type names none. */
      accountId?: string;
      /** Region used when a change type names none, e.g. eu-west-1. */
      region?: string;
      /**
       * Endpoint of every AWS service the `aws` implementation calls, e.g.
       * `http://127.0.0.1:5000` for the moto emulator. Unset: AWS's own
       * endpoints (the SDK's `AWS_ENDPOINT_URL` also applies then).
       */
      endpoint?: string;
      /**
       * Endpoint of one service, e.g. a VPC endpoint; wins over `endpoint`.
       */
      endpoints?: {
        ssm?: string;
        backup?: string;
        ec2?: string;
        rds?: string;
        /** The Resource Groups Tagging API (`tag:GetResources`). */
        tagging?: string;
        servicecatalog?: string;
        cloudwatch?: string;
      };
      patching?: {
        /**
         * Operating system of the patch baselines created for stacks, as SSM
         * names it, e.g. `WINDOWS` or `REDHAT_ENTERPRISE_LINUX`. Defaults to
         * `AMAZON_LINUX_2023`.
         */
        operatingSystem?: string;
      };
      backup?: {
        /**
         * Backup vault of the stacks' backup rules, on-demand backups and
         * restores. Defaults to `Default`.
         */
        vaultName?: string;
        /**
         * Role AWS Backup assumes for the stacks' selections, backup jobs and
         * restores; `{account}` is replaced by the stack's account. Defaults
         * to `arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole`.
         */
        iamRoleArn?: string;
      };
      sandbox?: {
        /**
         * How long sandbox provisioning takes, e.g. `{ seconds: 5 }` or `PT5S`.
         * Defaults to five seconds.
         */
        provisionDelay?: string | { [unit: string]: number };
        /**
         * JSON file that keeps the sandbox account across restarts. Defaults
         * to `sandbox/service-catalog.json` in the nearest `.data` directory
         * above the backend's working directory; without one, memory only.
         */
        stateFile?: string;
        /**
         * JSON file that keeps the sandbox account's patch and backup
         * settings (maintenance windows, patch baselines, backup plans,
         * on-demand recovery points, restore jobs) across restarts. Defaults
         * to `sandbox/settings.json` in the nearest `.data` directory above
         * the backend's working directory; without one, memory only.
         */
        settingsStateFile?: string;
      };
    };
  };
}
