import type { AwsTag } from '@cloud-ops/plugin-ops-common';

/**
 * Which implementation answers: `aws` calls AWS Service Catalog through SDK
 * v3; `sandbox` is an in-process simulated account for local runs.
 *
 * @public
 */
export type ServiceCatalogImplementation = 'aws' | 'sandbox';

/**
 * Where a call goes. Unset fields fall back to config (`ops.aws.accountId`,
 * `ops.aws.region`).
 *
 * @public
 */
export type AwsTarget = {
  account?: string;
  region?: string;
};

/** @public */
export type ProvisionProductRequest = AwsTarget & {
  productId: string;
  provisioningArtifactId: string;
  provisionedProductName: string;
  /**
   * Idempotency token: AWS answers a repeated request with the same token with
   * the record it created the first time, so a retried task never provisions
   * twice.
   */
  provisionToken: string;
  parameters: Record<string, string>;
  tags: AwsTag[];
};

/**
 * Status of a Service Catalog record, as AWS names it.
 *
 * @public
 */
export type ProvisionRecordStatus =
  | 'CREATED'
  | 'IN_PROGRESS'
  | 'IN_PROGRESS_IN_ERROR'
  | 'SUCCEEDED'
  | 'FAILED';

/** @public */
export type ProvisionRecord = {
  recordId: string;
  provisionedProductId: string;
  provisionedProductName: string;
  status: ProvisionRecordStatus;
  /** AWS's error messages when the record failed. */
  errors: string[];
  /** Stack outputs by key; filled once the record has succeeded. */
  outputs: Record<string, string>;
  /** True when the sandbox produced this record rather than AWS. */
  sandbox: boolean;
};

/**
 * A provisioned product as the catalog sees it: enough to describe a stack.
 *
 * @public
 */
export type ProvisionedStack = {
  provisionedProductId: string;
  /** The provisioned product's ARN; AWS tags the stack's resources with it. */
  arn?: string;
  name: string;
  productId?: string;
  provisioningArtifactId?: string;
  /** AVAILABLE, UNDER_CHANGE, TAINTED, ERROR or PLAN_IN_PROGRESS */
  status: string;
  lastRecordId?: string;
  createdAt?: string;
  tags: AwsTag[];
  account?: string;
  region?: string;
  sandbox: boolean;
};

/**
 * The one way the suite talks to AWS Service Catalog.
 *
 * @public
 */
export interface ServiceCatalogGateway {
  readonly implementation: ServiceCatalogImplementation;
  /** Starts provisioning; repeating the same token returns the same record. */
  provisionProduct(request: ProvisionProductRequest): Promise<ProvisionRecord>;
  /** Reads a record's status, errors and, once done, the stack outputs. */
  describeRecord(
    request: AwsTarget & { recordId: string },
  ): Promise<ProvisionRecord>;
  /**
   * Every provisioned product in the account and region with its tags, pages
   * followed.
   */
  listProvisionedProducts(request?: AwsTarget): Promise<ProvisionedStack[]>;
}
