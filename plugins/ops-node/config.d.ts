export interface Config {
  ops?: {
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
      };
    };
  };
}
