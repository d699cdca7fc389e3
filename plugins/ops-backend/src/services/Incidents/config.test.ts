import { ConfigReader } from '@backstage/config';
import { DEFAULT_INCIDENT_SETTINGS, readIncidentSettings } from './config';

const read = (ops: object) => readIncidentSettings(new ConfigReader({ ops }));

describe('readIncidentSettings', () => {
  it('uses the defaults when nothing is configured', () => {
    expect(readIncidentSettings(new ConfigReader({}))).toEqual({
      defaultPriority: 'P3',
      priorityRules: [],
      recurrenceThreshold: 3,
      windowHours: 168,
      centralItGroup: 'group:default/central-it',
    });
    expect(DEFAULT_INCIDENT_SETTINGS.priorityRules).toEqual([]);
  });

  it('reads every key', () => {
    expect(
      read({
        centralIt: { group: 'group:default/Cloud-Ops' },
        incidents: {
          defaultPriority: 'P4',
          priorityRules: [
            { name: 'prod-db', priority: 'P1', metricNamespace: 'AWS/RDS' },
            { name: 'critical', priority: 'P2', alarmNamePattern: 'critical' },
          ],
        },
        problems: { recurrenceThreshold: 5, windowHours: 72 },
      }),
    ).toEqual({
      defaultPriority: 'P4',
      priorityRules: [
        { name: 'prod-db', priority: 'P1', metricNamespace: 'AWS/RDS' },
        { name: 'critical', priority: 'P2', alarmNamePattern: 'critical' },
      ],
      recurrenceThreshold: 5,
      windowHours: 72,
      centralItGroup: 'group:default/cloud-ops',
    });
  });

  it('stops startup on invalid settings, naming the key', () => {
    expect(() => read({ incidents: { defaultPriority: 'urgent' } })).toThrow(
      'Invalid ops.incidents.defaultPriority "urgent": use one of P1, P2, P3, P4',
    );
    expect(() =>
      read({
        incidents: {
          priorityRules: [{ name: 'x', priority: 'P1', alarmNamePattern: '(' }],
        },
      }),
    ).toThrow(
      /^Invalid ops\.incidents\.priorityRules: rules\[0\]\.alarmNamePattern is not a valid regular expression/,
    );
    expect(() =>
      read({ incidents: { priorityRules: [{ priority: 'P1' }] } }),
    ).toThrow(
      'Invalid ops.incidents.priorityRules: rules[0].name must be a non-empty string',
    );
    expect(() => read({ problems: { recurrenceThreshold: 0 } })).toThrow(
      /Invalid ops\.problems\.recurrenceThreshold 0/,
    );
    expect(() => read({ problems: { recurrenceThreshold: 2.5 } })).toThrow(
      /Invalid ops\.problems\.recurrenceThreshold 2\.5/,
    );
    expect(() => read({ problems: { windowHours: -1 } })).toThrow(
      /Invalid ops\.problems\.windowHours -1/,
    );
  });
});
