export interface Config {
  ops?: {
    /**
     * Administrators of the catalog and the scaffolder: they register and
     * delete locations, create, delete and refresh entities, and use the
     * scaffolder's template editor and dry runs. Without it nobody may.
     */
    platformAdmins?: {
      /** Group entity ref, e.g. group:default/platform-admins. */
      group?: string;
    };
    /**
     * Auditors read, verify and export the ops audit log, as Central IT
     * does. Without it only Central IT may.
     */
    auditors?: {
      /** Group entity ref, e.g. group:default/auditors. */
      group?: string;
    };
  };
}
