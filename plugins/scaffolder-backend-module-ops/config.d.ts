export interface Config {
  ops?: {
    scaffolder?: {
      /**
       * Longest time `ops:rfc:await-approval` waits, e.g. `PT1H` or
       * `{ hours: 1 }`. A waiting task holds a scaffolder worker slot, so keep
       * it short; a task that timed out can be retried once the RFC is
       * approved. Defaults to one hour.
       */
      approvalTimeout?: string | { [unit: string]: number };
      /** Time between reads of the RFC while waiting. Defaults to 10 seconds. */
      approvalPollInterval?: string | { [unit: string]: number };
      /** Longest wait for a Service Catalog record. Defaults to two hours. */
      provisionTimeout?: string | { [unit: string]: number };
      /** Time between DescribeRecord calls. Defaults to 5 seconds. */
      provisionPollInterval?: string | { [unit: string]: number };
      /**
       * How often RFCs in progress are checked against their scaffolder task.
       * Defaults to one minute.
       */
      reconcileInterval?: string | { [unit: string]: number };
    };
  };
}
