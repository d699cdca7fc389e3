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
  };
}
