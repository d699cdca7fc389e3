export interface Config {
  ops?: {
    scaffolder?: {
      /**
       * Longest time `ops:rfc:follow` lets a person's run watch an execution,
       * e.g. `PT10M` or `{ minutes: 10 }`; the execution goes on after it.
       * Defaults to ten minutes.
       */
      followTimeout?: string | { [unit: string]: number };
      /** Pause between reads while following. Defaults to 2 seconds. */
      followPollInterval?: string | { [unit: string]: number };
      /** Longest wait for a Service Catalog record. Defaults to two hours. */
      provisionTimeout?: string | { [unit: string]: number };
      /** Time between DescribeRecord calls. Defaults to 5 seconds. */
      provisionPollInterval?: string | { [unit: string]: number };
    };
  };
}
