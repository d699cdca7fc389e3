import {
  CloudWatchClient,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmState, AlarmSummary } from '@cloud-ops/plugin-ops-common';
import {
  AWS_LIMITS,
  AwsReadContext,
  chunk,
  failureMessage,
  followPages,
  iso,
  required,
  Resource,
} from './awsReading';
import type { OperationsReadResult } from './types';

const DESCRIBE_ALARMS = 'cloudwatch:DescribeAlarms';

/**
 * The CloudWatch alarms of every entity: DescribeAlarms, 100 names per
 * call. A failure fails the alarms of the entities that have alarms; the
 * others have none to lose.
 */
export async function readAlarms(
  ctx: AwsReadContext,
  entities: { entityRef: string; resources: Resource[] }[],
): Promise<OperationsReadResult[]> {
  const alarmsOf = (resources: Resource[]) =>
    resources.filter(r => r.service === 'cloudwatch' && r.type === 'alarm');
  const names = new Set(
    entities.flatMap(e => alarmsOf(e.resources).map(r => r.id)),
  );
  let byName: Map<string, AlarmSummary>;
  try {
    byName = await describeAlarms(ctx, [...names]);
  } catch (e) {
    const error = failureMessage(e, DESCRIBE_ALARMS, ctx.at);
    ctx.logger.warn(error);
    return entities.map(({ entityRef, resources }) =>
      alarmsOf(resources).length
        ? { entityRef, kind: 'alarms', ok: false, error }
        : { entityRef, kind: 'alarms', ok: true, payload: { alarms: [] } },
    );
  }
  return entities.map(({ entityRef, resources }) => ({
    entityRef,
    kind: 'alarms',
    ok: true,
    payload: {
      alarms: alarmsOf(resources)
        .flatMap(r => (byName.has(r.id) ? [byName.get(r.id)!] : []))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
  }));
}

async function describeAlarms(
  ctx: AwsReadContext,
  names: string[],
): Promise<Map<string, AlarmSummary>> {
  const { region } = ctx.at;
  // ops-node has no CloudWatch client of its own; this package depends on the SDK's.
  const cloudwatch = ctx.clients.clientOf(
    CloudWatchClient,
    'cloudwatch',
    ctx.at,
  );
  const byName = new Map<string, AlarmSummary>();
  for (const batch of chunk(names, AWS_LIMITS.describeAlarmsNames)) {
    await followPages(DESCRIBE_ALARMS, ctx.at, async token => {
      const out = await cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: batch,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: AWS_LIMITS.describeAlarmsNames,
          NextToken: token,
        }),
      );
      for (const a of [
        ...(out.MetricAlarms ?? []),
        ...(out.CompositeAlarms ?? []),
      ]) {
        const name = required(a.AlarmName, 'AlarmName');
        byName.set(name, {
          name,
          arn: a.AlarmArn ?? '',
          state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
          reason: a.StateReason ?? '',
          stateUpdatedAt: iso(a.StateUpdatedTimestamp),
          metric:
            'MetricName' in a
              ? { namespace: a.Namespace, name: a.MetricName }
              : undefined,
          consoleUrl: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(
            name,
          )}`,
        });
      }
      return { next: out.NextToken };
    });
  }
  return byName;
}
