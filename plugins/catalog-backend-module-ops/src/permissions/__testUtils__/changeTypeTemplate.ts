import type { Entity } from '@backstage/catalog-model';
import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';

/** A valid manual change type; `allowedGroups` sets the role annotation. */
export function changeTypeTemplate(
  name: string,
  options: {
    allowedGroups?: string;
    annotations?: Record<string, string>;
  } = {},
): Entity {
  const K = CHANGE_TYPE_ANNOTATIONS;
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        [K.id]: name,
        [K.version]: '1.0',
        [K.classification]: 'Management/Access/Stack/Grant access',
        [K.automation]: 'manual',
        [K.approval]: 'by-origin',
        [K.expectedDuration]: 'PT4H',
        [K.risk]: 'medium',
        ...(options.allowedGroups !== undefined
          ? { [K.allowedGroups]: options.allowedGroups }
          : {}),
        ...options.annotations,
      },
    },
    spec: {
      owner: 'group:default/central-it',
      type: 'change-type',
      parameters: [],
      steps: [
        {
          id: 'rfc',
          action: 'ops:rfc:create',
          input: { changeTypeId: name, parameters: '${{ parameters }}' },
        },
      ],
    },
  };
}
