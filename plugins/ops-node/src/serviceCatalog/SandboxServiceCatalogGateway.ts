import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, NotFoundError } from '@backstage/errors';
import type { AwsTag } from '@cloud-ops/plugin-ops-common';
import {
  AwsTarget,
  ProvisionedStack,
  ProvisionProductRequest,
  ProvisionRecord,
  ServiceCatalogGateway,
} from './types';

/**
 * A product the sandbox can provision. Ids follow AWS's shapes so change
 * types written for the sandbox validate like real ones.
 *
 * @public
 */
export type SandboxProduct = {
  productId: string;
  provisioningArtifactId: string;
  name: string;
  requiredParameters: string[];
  /** Builds deterministic stack outputs from the provisioned product id. */
  outputs: (
    provisionedProductId: string,
    parameters: Record<string, string>,
  ) => Record<string, string>;
};

/**
 * The products of the sandbox account, one per example change type that
 * provisions something.
 *
 * @public
 */
export const SANDBOX_PRODUCTS: readonly SandboxProduct[] = [
  {
    productId: 'prod-sandboxec2linux',
    provisioningArtifactId: 'pa-sandboxec2linuxv1',
    name: 'EC2 Linux application stack',
    requiredParameters: ['InstanceType'],
    outputs: (id, p) => ({
      InstanceId: `i-${digest(id, 17)}`,
      InstanceType: p.InstanceType,
      PrivateIp: `10.0.${parseInt(digest(id, 2), 16) % 256}.${
        (parseInt(digest(`${id}ip`, 2), 16) % 254) + 1
      }`,
    }),
  },
  {
    productId: 'prod-sandboxs3bucket',
    provisioningArtifactId: 'pa-sandboxs3bucketv1',
    name: 'S3 bucket',
    requiredParameters: ['BucketName'],
    outputs: (_id, p) => ({
      BucketName: p.BucketName,
      BucketArn: `arn:aws:s3:::${p.BucketName}`,
    }),
  },
  {
    productId: 'prod-sandboxrdspostgres',
    provisioningArtifactId: 'pa-sandboxrdspostgresv1',
    name: 'PostgreSQL on RDS',
    requiredParameters: ['DbInstanceClass', 'AllocatedStorage'],
    outputs: id => ({
      Endpoint: `db-${digest(id, 8)}.sandbox.rds.amazonaws.com`,
      Port: '5432',
    }),
  },
  {
    productId: 'prod-sandboxrestore',
    provisioningArtifactId: 'pa-sandboxrestorev1',
    name: 'Stack restored from a snapshot',
    requiredParameters: ['SnapshotId'],
    outputs: (id, p) => ({
      RestoredFrom: p.SnapshotId,
      InstanceId: `i-${digest(id, 17)}`,
    }),
  },
];

/**
 * Provisioning parameter that makes a sandbox record fail with its value as
 * AWS's error message, so the failure path can be tried locally.
 *
 * @public
 */
export const SANDBOX_FAILURE_PARAMETER = 'SandboxFailureMessage';

type StoredRecord = {
  recordId: string;
  provisionToken: string;
  provisionedProductId: string;
  provisionedProductName: string;
  productId: string;
  provisioningArtifactId: string;
  parameters: Record<string, string>;
  tags: AwsTag[];
  account?: string;
  region?: string;
  createdAt: number;
};

type State = { records: StoredRecord[] };

/**
 * A simulated Service Catalog. Provisioning finishes `provisionDelayMs` after
 * the request; the same token returns the same record, as in AWS. When a
 * state file is given the account survives backend restarts, which matters
 * because the catalog reads stacks long after the scaffolder made them.
 *
 * @public
 */
export class SandboxServiceCatalogGateway implements ServiceCatalogGateway {
  readonly implementation = 'sandbox' as const;
  private state: State;

  constructor(
    private readonly options: {
      provisionDelayMs?: number;
      stateFile?: string;
      now?: () => number;
      defaultAccount?: string;
      defaultRegion?: string;
    } = {},
  ) {
    this.state = this.load();
  }

  async provisionProduct(
    request: ProvisionProductRequest,
  ): Promise<ProvisionRecord> {
    this.refresh();
    const existing = this.state.records.find(
      r => r.provisionToken === request.provisionToken,
    );
    if (existing) {
      return this.toRecord(existing);
    }
    const product = SANDBOX_PRODUCTS.find(
      p => p.productId === request.productId,
    );
    if (!product) {
      throw new NotFoundError(
        `Sandbox Service Catalog has no product ${
          request.productId
        }; known products: ${SANDBOX_PRODUCTS.map(p => p.productId).join(
          ', ',
        )}`,
      );
    }
    if (product.provisioningArtifactId !== request.provisioningArtifactId) {
      throw new NotFoundError(
        `Sandbox product ${product.productId} has no provisioning artifact ${request.provisioningArtifactId}; use ${product.provisioningArtifactId}`,
      );
    }
    const missing = product.requiredParameters.filter(
      name => !request.parameters[name],
    );
    if (missing.length) {
      throw new InputError(
        `Product ${
          product.name
        } needs the provisioning parameters ${missing.join(', ')}`,
      );
    }
    const seed = request.provisionToken;
    const record: StoredRecord = {
      recordId: `rec-${digest(seed, 13)}`,
      provisionToken: request.provisionToken,
      provisionedProductId: `pp-${digest(`${seed}/pp`, 13)}`,
      provisionedProductName: request.provisionedProductName,
      productId: request.productId,
      provisioningArtifactId: request.provisioningArtifactId,
      parameters: { ...request.parameters },
      tags: request.tags.map(t => ({ Key: t.Key, Value: t.Value })),
      account: request.account ?? this.options.defaultAccount,
      region: request.region ?? this.options.defaultRegion,
      createdAt: this.now(),
    };
    this.state.records.push(record);
    this.save();
    return this.toRecord(record);
  }

  async describeRecord(
    request: AwsTarget & { recordId: string },
  ): Promise<ProvisionRecord> {
    this.refresh();
    const record = this.state.records.find(
      r => r.recordId === request.recordId,
    );
    if (!record) {
      throw new NotFoundError(
        `Sandbox Service Catalog has no record ${request.recordId}`,
      );
    }
    return this.toRecord(record);
  }

  /**
   * The sandbox's provisioned products in the target's account and region
   * (by default the configured ones; all of them when neither is known),
   * like SearchProvisionedProducts with access level `self` in that account.
   */
  async listProvisionedProducts(
    request: AwsTarget = {},
  ): Promise<ProvisionedStack[]> {
    this.refresh();
    const account = request.account ?? this.options.defaultAccount;
    const region = request.region ?? this.options.defaultRegion;
    return (
      this.state.records
        // Without a target or a default there is nothing to narrow by: the
        // whole simulated account answers.
        .filter(
          r =>
            (account === undefined ||
              (r.account ?? this.options.defaultAccount) === account) &&
            (region === undefined ||
              (r.region ?? this.options.defaultRegion) === region),
        )
        .map(r => {
          const status = this.toRecord(r).status;
          const recordAccount = r.account ?? account;
          const recordRegion = r.region ?? region;
          return {
            provisionedProductId: r.provisionedProductId,
            arn: `arn:aws:servicecatalog:${recordRegion ?? 'sandbox'}:${
              recordAccount ?? '000000000000'
            }:stack/${r.provisionedProductName}/${r.provisionedProductId}`,
            name: r.provisionedProductName,
            productId: r.productId,
            provisioningArtifactId: r.provisioningArtifactId,
            status:
              { SUCCEEDED: 'AVAILABLE', FAILED: 'ERROR' }[
                status as 'SUCCEEDED' | 'FAILED'
              ] ?? 'UNDER_CHANGE',
            lastRecordId: r.recordId,
            createdAt: new Date(r.createdAt).toISOString(),
            tags: r.tags,
            account: recordAccount,
            region: recordRegion,
            sandbox: true,
          };
        })
    );
  }

  private toRecord(r: StoredRecord): ProvisionRecord {
    const done =
      this.now() - r.createdAt >= (this.options.provisionDelayMs ?? 5000);
    const failure = r.parameters[SANDBOX_FAILURE_PARAMETER];
    const product = SANDBOX_PRODUCTS.find(p => p.productId === r.productId)!;
    let status: ProvisionRecord['status'] = 'IN_PROGRESS';
    if (done) status = failure ? 'FAILED' : 'SUCCEEDED';
    return {
      recordId: r.recordId,
      provisionedProductId: r.provisionedProductId,
      provisionedProductName: r.provisionedProductName,
      status,
      errors: status === 'FAILED' ? [failure] : [],
      outputs:
        status === 'SUCCEEDED'
          ? product.outputs(r.provisionedProductId, r.parameters)
          : {},
      sandbox: true,
    };
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * Rereads the state file, so a second backend process on the same file
   * (another replica, a restarted one) sees what the first provisioned.
   */
  private refresh() {
    if (this.options.stateFile) {
      this.state = this.load();
    }
  }

  private load(): State {
    const file = this.options.stateFile;
    if (!file || !fs.existsSync(file)) {
      return { records: [] };
    }
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as State;
    return { records: Array.isArray(parsed.records) ? parsed.records : [] };
  }

  private save() {
    const file = this.options.stateFile;
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename so a crash never leaves half a file behind.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 2));
    fs.renameSync(tmp, file);
  }
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}
