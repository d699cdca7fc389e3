import type {
  EntityOpsSettings,
  StackSettingsInForce,
} from '@cloud-ops/plugin-ops-common';
import type {
  GatewayImplementation,
  SettingsReader,
  StackTarget,
} from '@cloud-ops/plugin-ops-node';
import type { EntitySettingsSource } from '../OperationsService';

type ReadSettingsResult = Awaited<ReturnType<SettingsReader['readSettings']>>;
type ReaderSettings = Extract<
  ReadSettingsResult extends Map<string, infer V> ? V : never,
  { ok: true }
>['settings'];

/**
 * A settings reader over settings held in memory, keyed by lower-cased entity
 * ref, that records every call. Entities it holds nothing for have no
 * settings; `failures` fail one entity, `error` the whole call.
 */
export class FakeSettingsReader implements SettingsReader {
  readonly calls: StackTarget[][] = [];
  readonly settings = new Map<string, StackSettingsInForce>();
  readonly failures = new Map<string, string>();
  error?: Error;
  /** Fields a reader may return besides the snapshot's, e.g. ones being retired. */
  extraFields: Record<string, unknown> = {};

  constructor(readonly implementation: GatewayImplementation = 'sandbox') {}

  async readSettings(stacks: StackTarget[]): Promise<ReadSettingsResult> {
    this.calls.push(stacks);
    if (this.error) throw this.error;
    const result: ReadSettingsResult = new Map();
    for (const stack of stacks) {
      const ref = stack.entityRef.toLocaleLowerCase('en-US');
      const failure = this.failures.get(ref);
      if (failure) {
        result.set(ref, { ok: false, error: failure });
        continue;
      }
      const settings = this.settings.get(ref) ?? {
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
      };
      result.set(ref, {
        ok: true,
        settings: { ...settings, ...this.extraFields } as ReaderSettings,
      });
    }
    return result;
  }
}

/** What entities' RFCs set, in memory, with the calls made. */
export function fakeRfcSettings(
  byEntity: Record<string, EntityOpsSettings> = {},
) {
  const getSettingsOf = jest.fn<
    ReturnType<EntitySettingsSource['getSettingsOf']>,
    [string[]]
  >(async refs => {
    const result = new Map<string, { settings: EntityOpsSettings }>();
    for (const ref of refs) {
      if (byEntity[ref]) result.set(ref, { settings: byEntity[ref] });
    }
    return result;
  });
  return { getSettingsOf };
}
