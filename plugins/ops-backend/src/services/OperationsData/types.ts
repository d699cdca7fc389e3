import type {
  OperationsSnapshotKind,
  OperationsSnapshotPayloads,
  OperationsSource,
} from '@cloud-ops/plugin-ops-common';

/** An AWS account and region. @public */
export type AwsLocation = { accountId: string; region: string };

/**
 * An entity mapped to AWS resources by its annotations: the resources in
 * `accountId`/`region` whose tags carry every `selector` pair.
 *
 * @public
 */
export type OperationsTarget = AwsLocation & {
  /** Lower-cased entity ref; snapshots are stored under it. */
  entityRef: string;
  selector: Record<string, string>;
};

/** What a reader found for one entity and kind. @public */
export type OperationsReadResult = {
  [K in OperationsSnapshotKind]:
    | {
        entityRef: string;
        kind: K;
        ok: true;
        payload: OperationsSnapshotPayloads[K];
      }
    | { entityRef: string; kind: K; ok: false; error: string };
}[OperationsSnapshotKind];

/**
 * Reads alarms, patch state and backups for many entities at once.
 *
 * Besides the annotated targets, a reader finds stacks the suite provisioned
 * through their `cloud-ops.io/entity-ref` tag, and returns results for those
 * entities too, under the tag's (lower-cased) entity ref.
 *
 * @public
 */
export interface OperationsReader {
  readonly source: OperationsSource;
  read(targets: OperationsTarget[]): Promise<OperationsReadResult[]>;
}
