export interface Config {
  app?: {
    /**
     * Demo users offered on the sign-in page of local runs. Sign-in itself is
     * checked by the backend's demo auth provider.
     */
    demoSignIn?: {
      /** @visibility frontend */
      users?: Array<{
        /** User entity name in the default namespace. @visibility frontend */
        name: string;
        /** @visibility frontend */
        title?: string;
        /** @visibility frontend */
        description?: string;
      }>;
    };
  };
}
